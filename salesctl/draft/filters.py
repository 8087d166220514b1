"""The filters templates use: amounts in figures and in words (Chinese capitals, English), dates,
quantities, shares, currency names, Markdown table cells. ``None`` renders as an empty string.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any, Callable

from ..model.money import CENT, MAX_AMOUNT, money_text
from .flagged import Flagged

# ---------------------------------------------------------------------------
# Amounts and dates
# ---------------------------------------------------------------------------



def _to_decimal(value: Any, what: str) -> Decimal:
    """Decimal from Decimal, int, str (``"1,234.50"`` too) or float (via its repr)."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{what}: not an amount: {value!r}")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float):
        d = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{what}: not an amount: {value!r}") from None
    else:
        raise ValueError(f"{what}: not an amount: {value!r}")
    if not d.is_finite():
        raise ValueError(f"{what}: not an amount: {value!r}")
    return d


def money(value: Any) -> str:
    """``1234567.8`` -> ``"1,234,567.80"``: thousands separators, always 2 decimals.

    Rounds half up to the cent.  Negative amounts keep their sign
    (``"-5.00"``).  Accepts Decimal, int, str (and float via its repr).
    """
    text = money_text(_to_decimal(value, "money"))
    return "0.00" if text == "-0.00" else text


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")


def _upper_below_10000(n: int) -> str:
    """0 < n < 10000 in capitals, zeros inside as one 零 (1010 -> 壹仟零壹拾)."""
    out = []
    zero = False
    for pos in range(3, -1, -1):
        digit = (n // 10 ** pos) % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(_DIGITS[digit] + _SMALL_UNITS[pos])
    return "".join(out)


def _upper_integer(n: int) -> str:
    """0 < n < 10**13 in capitals with 万 and 亿 sections (100001 -> 壹拾万零壹)."""
    if n >= 10 ** 8:
        high, rest = divmod(n, 10 ** 8)
        text = _upper_integer(high) + "亿"
        if rest:
            text += ("零" if rest < 10 ** 7 else "") + _upper_integer(rest)
        return text
    if n >= 10 ** 4:
        high, rest = divmod(n, 10 ** 4)
        text = _upper_below_10000(high) + "万"
        if rest:
            text += ("零" if rest < 1000 else "") + _upper_below_10000(rest)
        return text
    return _upper_below_10000(n)


def _cents(value: Any, what: str) -> int:
    """An amount written out in words, as whole cents: 0 to 9,999,999,999,999.99, 2 decimals at most."""
    d = _to_decimal(value, what)
    if d < 0:
        raise ValueError(f"{what}: negative amount {value}")
    if d > MAX_AMOUNT:
        raise ValueError(f"{what}: amount {value} is above 9,999,999,999,999.99")
    if d != d.quantize(CENT):
        raise ValueError(f"{what}: amount {value} has more than 2 decimals")
    return int(d * 100)


def cny_upper(value: Any) -> str:
    """The amount in Chinese financial capitals (大写金额), e.g. for a contract.

    ``120000`` -> 壹拾贰万元整, ``1010.05`` -> 壹仟零壹拾元零伍分,
    ``100001`` -> 壹拾万零壹元整, ``10000000.01`` -> 壹仟万元零壹分,
    ``1.05`` -> 壹元零伍分, ``0`` -> 零元整, ``0.5`` -> 伍角, ``0.05`` -> 伍分.

    Conventions (those of the People's Bank of China rules for filling in
    bills, 《正确填写票据和结算凭证的基本规定》):

    - 整 follows 元 when there are no jiao and fen (壹拾贰万元整).  After 角
      the rules allow 整 but do not require it; we write none
      (``10.50`` -> 壹拾元伍角), and never after 分.
    - Every ten is written 壹拾 (``10`` -> 壹拾元整, never 拾元整).
    - A run of zeros inside the number is one 零 (``1001`` -> 壹仟零壹元整);
      zeros at the end of a 万/亿 section need none before the next
      non-zero 仟 digit (``107000`` -> 壹拾万柒仟元整), but a section that
      starts below 仟 gets one (``100001`` -> 壹拾万零壹元整).
    - Zero yuan with jiao or fen: the yuan are left out (``0.55`` -> 伍角伍分);
      jiao zero with fen: 零 before the fen (``1.05`` -> 壹元零伍分).
      Yuan ending in zeros before jiao take no 零 (``1680.32`` ->
      壹仟陆佰捌拾元叁角贰分), which the same rules allow.

    Accepts Decimal, int, str (and float via its repr).  Raises ValueError for
    a negative amount, one above 9,999,999,999,999.99, or one with more than
    two decimals (``1.230`` is fine, ``1.234`` is not).
    """
    cents = _cents(value, "cny_upper")
    yuan, rest = divmod(cents, 100)
    jiao, fen = divmod(rest, 10)
    if yuan == 0 and rest == 0:
        return "零元整"
    text = _upper_integer(yuan) + "元" if yuan else ""
    if rest == 0:
        return text + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    return text


def _to_date(value: Any, what: str) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{what}: not a date: {value!r}")


def date_cn(d: Any) -> str:
    """``date(2026, 3, 20)`` -> ``"2026年3月20日"`` (also an ISO string)."""
    d = _to_date(d, "date_cn")
    return f"{d.year}年{d.month}月{d.day}日"


_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July",
              "August", "September", "October", "November", "December")


def date_en(d: Any) -> str:
    """``date(2026, 3, 20)`` -> ``"March 20, 2026"`` (also an ISO string)."""
    d = _to_date(d, "date_en")
    return f"{_MONTHS_EN[d.month - 1]} {d.day}, {d.year}"


_ONES_EN = ("", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine",
            "Ten", "Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen",
            "Seventeen", "Eighteen", "Nineteen")
_TENS_EN = ("", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety")
_SCALES_EN = ("", "Thousand", "Million", "Billion", "Trillion")


def _words_below_1000(n: int) -> list[str]:
    words = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        words += [_ONES_EN[hundreds], "Hundred"]
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        words.append(_TENS_EN[tens] + (f"-{_ONES_EN[ones]}" if ones else ""))
    elif rest:
        words.append(_ONES_EN[rest])
    return words


def words_en(value: Any) -> str:
    """The amount in English words, cheque style, for English contracts.

    ``120000`` -> ``"One Hundred Twenty Thousand Only"``,
    ``1010.05`` -> ``"One Thousand Ten and 05/100"``, ``0`` -> ``"Zero Only"``.
    Same limits as :func:`cny_upper`.
    """
    cents = _cents(value, "words_en")
    whole, frac = divmod(cents, 100)
    groups = []
    scale = 0
    while whole:
        whole, chunk = divmod(whole, 1000)
        if chunk:
            groups.insert(0, " ".join(_words_below_1000(chunk) + ([_SCALES_EN[scale]] if scale else [])))
        scale += 1
    text = " ".join(groups) or "Zero"
    return f"{text} and {frac:02d}/100" if frac else f"{text} Only"


def num(value: Any) -> str:
    """A quantity without needless zeros: ``Decimal("2.50")`` -> ``"2.5"``, ``3`` -> ``"3"``."""
    d = _to_decimal(value, "num")
    text = format(d.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def share(part: Any, whole: Any) -> str:
    """``part`` as a percentage of ``whole``: ``36000|share(120000)`` -> ``"30%"``.

    Up to 2 decimals, trailing zeros dropped; ``""`` when ``whole`` is 0 or None.
    """
    if part is None or whole is None:
        return ""
    p = _to_decimal(part, "share")
    w = _to_decimal(whole, "share")
    if w == 0:
        return ""
    with localcontext() as ctx:
        ctx.prec = 60
        pct = (p * 100 / w).quantize(CENT, rounding=ROUND_HALF_UP)
    return num(pct) + "%"


_CURRENCIES_CN = {"CNY": "人民币", "RMB": "人民币", "USD": "美元", "EUR": "欧元", "HKD": "港币",
                  "JPY": "日元", "GBP": "英镑", "TWD": "新台币", "SGD": "新加坡元"}


def currency_cn(code: Any) -> str:
    """The Chinese name of a currency code (``CNY`` -> ``人民币``); unknown codes as given."""
    if code is None:
        return "人民币"
    return _CURRENCIES_CN.get(str(code).upper(), str(code))


def md_cell(value: Any) -> str:
    """Text safe inside a Markdown table cell: ``|`` escaped, line breaks as spaces."""
    if value is None:
        return ""
    text = str(value).replace("\\", "\\\\").replace("|", "\\|")
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()


def _flag_through(fn: Callable[..., str]) -> Callable[..., str]:
    """``fn`` that gives back a value flagged in a forced draft (`flagged.Flagged`): its marker."""
    def filt(*args: Any) -> str:
        return next((v for v in args if isinstance(v, Flagged)), None) or fn(*args)
    filt.__name__ = fn.__name__
    filt.__doc__ = fn.__doc__
    return filt


def _none_blank(fn: Callable[..., str]) -> Callable[..., str]:
    """The filter version of ``fn``: ``None`` renders as an empty string, a flagged value as its marker."""
    @_flag_through
    def filt(value: Any, *args: Any) -> str:
        return "" if value is None else fn(value, *args)
    filt.__name__ = fn.__name__
    filt.__doc__ = fn.__doc__
    return filt


FILTERS: dict[str, Callable[..., Any]] = {
    "money": _none_blank(money),
    "cny_upper": _none_blank(cny_upper),
    "date_cn": _none_blank(date_cn),
    "date_en": _none_blank(date_en),
    "words_en": _none_blank(words_en),
    "num": _none_blank(num),
    "share": _flag_through(share),
    "currency_cn": _flag_through(currency_cn),
    "md_cell": md_cell,
}
