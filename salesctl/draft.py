"""Contract drafts: the rendering core of ``salesctl draft`` (SPEC section 8).

A draft is a jinja2 template rendered from a context the CLI builds out of the
records (``contract``, ``customer``, ``contact``, ``owner``, ``company``,
``receivables``, ``today``, ``locale``).  This module finds the templates,
renders them in a sandbox and turns every failure into a :class:`DraftError`
with a message fit for the user.  It imports no click and prints nothing.

Template files (in the workspace ``templates/`` folder, else shipped with
salesctl)::

    NAME.FORMAT.j2            FORMAT is md or html        contract.md.j2
    NAME.LOCALE.FORMAT.j2     preferred when LOCALE is    contract.en_US.md.j2
                              the workspace locale
    NAME.docx                 a Word template (docxtpl)   contract.docx
    NAME.LOCALE.docx

Lookup for ``render(template=NAME, fmt=F, locale=L)``: workspace
``NAME.L.F.j2``, workspace ``NAME.F.j2``, shipped ``NAME.L.F.j2``, shipped
``NAME.F.j2`` -- a workspace template overrides the shipped one of the same
name and format.  ``template="NAME.LOCALE"`` asks for that locale explicitly
(only ``NAME.LOCALE.*`` files qualify).  ``fmt="docx"`` renders a
``NAME[.LOCALE].docx`` template when one exists; otherwise the Markdown
template of the same name is rendered and converted into a Word document, so
the shipped contract has one wording for every format.

Templates run in :class:`jinja2.sandbox.ImmutableSandboxedEnvironment` with
``StrictUndefined`` (a name that does not exist is an error naming the
variable, the template file and the line), ``trim_blocks``/``lstrip_blocks``
(a line holding only a ``{% tag %}`` leaves no blank line),
``keep_trailing_newline`` and autoescaping for HTML only.  ``None`` prints as
an empty string, and the filters below map ``None`` to ``""``.  On a mapping,
``x.key`` prefers the key over a dict method of the same name, so
``contract.items`` is the contract's list of items, not ``dict.items``.
A workspace template can extend a shipped one through the ``shipped/``
prefix: ``{% extends "shipped/contract.html.j2" %}`` and override its blocks.

A workspace template may come from anyone who can push to the repository, so
templates are read only from inside the workspace (a link leading out, or a
name with ``..``, is refused), and every draft is rendered in a child process
that is stopped after ``MAX_SECONDS`` and cannot take more than
``MAX_MEMORY_MB``; checks inside the sandbox refuse the known ways to grow a
value first, with a message naming them.

Filters: ``money``, ``cny_upper``, ``date_cn``, ``date_en``, ``words_en``,
``num`` (a quantity without trailing zeros), ``share`` (``part|share(whole)``
-> ``"30%"``), ``currency_cn`` (``CNY`` -> ``人民币``), ``md_cell`` (text made
safe for a Markdown table cell).
"""

from __future__ import annotations

import datetime as _dt
import gc
import io
import json
import math
import os
import re
import selectors
import signal
import string
import time
import traceback
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from functools import lru_cache, partial, wraps
from pathlib import Path
from typing import Any, Callable

import jinja2
from jinja2 import ChoiceLoader, PrefixLoader, StrictUndefined
from jinja2.exceptions import SecurityError, TemplateNotFound, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum

__all__ = [
    "DraftError",
    "TemplateInfo",
    "FORMATS",
    "cny_upper",
    "complete_context",
    "currency_cn",
    "date_cn",
    "date_en",
    "list_templates",
    "markdown_to_docx",
    "money",
    "num",
    "render",
    "resolve_template",
    "share",
    "shipped_templates_dir",
    "words_en",
]

FORMATS = ("md", "html", "docx")
DOCX_EXTRA_MESSAGE = "docx output needs the optional extra: pip install 'salesctl[docx]'"


class DraftError(Exception):
    """A user-facing failure of ``salesctl draft``; ``str(err)`` is the message.

    ``path`` and ``line`` locate the problem in a template when known, and
    ``variable`` names the undefined variable for an undefined-variable error.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 variable: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.variable = variable


# ---------------------------------------------------------------------------
# Amounts and dates
# ---------------------------------------------------------------------------

_CENT = Decimal("0.01")
CNY_UPPER_MAX = Decimal("9999999999999.99")


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
    d = _to_decimal(value, "money")
    with localcontext() as ctx:
        ctx.prec = 60
        q = d.quantize(_CENT, rounding=ROUND_HALF_UP)
        text = format(q, ",.2f")
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
    if d > CNY_UPPER_MAX:
        raise ValueError(f"{what}: amount {value} is above 9,999,999,999,999.99")
    if d != d.quantize(_CENT):
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
        pct = (p * 100 / w).quantize(_CENT, rounding=ROUND_HALF_UP)
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


def _none_blank(fn: Callable[..., str]) -> Callable[..., str]:
    """The filter version of ``fn``: ``None`` renders as an empty string."""
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
    "share": share,
    "currency_cn": currency_cn,
    "md_cell": md_cell,
}


# ---------------------------------------------------------------------------
# Finding templates
# ---------------------------------------------------------------------------

_NAME = r"[A-Za-z0-9][A-Za-z0-9_-]*"
_LOCALE = r"[a-z]{2,3}(?:_[A-Z]{2})?"
_FILE_RE = re.compile(
    rf"^(?P<name>{_NAME})(?:\.(?P<locale>{_LOCALE}))?"
    rf"(?:\.(?P<format>md|html)\.j2|\.(?P<docx>docx))$"
)
_TEMPLATE_ARG_RE = re.compile(rf"^(?P<name>{_NAME})(?:\.(?P<locale>{_LOCALE}))?$")
_FORMAT_ORDER = {f: i for i, f in enumerate(FORMATS)}


@dataclass(frozen=True)
class TemplateInfo:
    """One template file found in the workspace or shipped with salesctl.

    ``overridden``: a shipped template for which the workspace holds a template
    of the same name and format, in the same locale or locale-neutral, that
    takes precedence.  ``selected``: it is the one :func:`render` picks for
    its name and format in the locale given to :func:`list_templates`.
    """

    name: str
    locale: str | None
    format: str
    path: Path
    source: str  # 'workspace' | 'shipped'
    overridden: bool = False
    selected: bool = False

    @property
    def filename(self) -> str:
        return self.path.name


def shipped_templates_dir() -> Path:
    """The folder of the templates shipped with salesctl.

    Installed, the repository's ``templates/`` is the package
    ``salesctl.templates``; in a source checkout it is ``templates/`` beside
    the package.
    """
    try:
        from importlib.resources import files

        res = files("salesctl.templates")
        if isinstance(res, Path) and res.is_dir():
            return res
        path = Path(str(res))
        if path.is_dir():
            return path
    except Exception:  # not installed as a package: a source checkout
        pass
    return Path(__file__).resolve().parent.parent / "templates"


def _scan(directory: Path | None, source: str) -> list[TemplateInfo]:
    if directory is None or not directory.is_dir():
        return []
    found = []
    for path in sorted(directory.iterdir()):
        m = _FILE_RE.match(path.name)
        if m is None or not path.is_file():
            continue
        fmt = "docx" if m.group("docx") else m.group("format")
        found.append(TemplateInfo(m.group("name"), m.group("locale"), fmt, path, source))
    return found


def _sort_key(t: TemplateInfo) -> tuple:
    return (t.name, _FORMAT_ORDER[t.format], t.locale or "", t.source != "workspace")


def _candidates(name: str, fmt: str, locale: str | None, explicit: bool) -> list[tuple[str, str | None]]:
    """(source, locale) pairs in lookup order."""
    if explicit:
        return [("workspace", locale), ("shipped", locale)]
    pairs = []
    for source in ("workspace", "shipped"):
        if locale:
            pairs.append((source, locale))
        pairs.append((source, None))
    return pairs


def list_templates(workspace_templates_dir: Path | None, *, locale: str | None = None) -> list[TemplateInfo]:
    """Every template found, workspace first within a name, sorted by name, format, locale.

    With ``locale``, ``selected`` marks the template :func:`render` would use
    for each name and format (for docx, a docx template when there is one;
    without one, the Markdown template selected is converted).
    """
    ws = _scan(Path(workspace_templates_dir) if workspace_templates_dir else None, "workspace")
    shipped = _scan(shipped_templates_dir(), "shipped")
    ws_keys = {(t.name, t.format, t.locale) for t in ws}
    result = list(ws)
    for t in shipped:
        over = (t.name, t.format, t.locale) in ws_keys or (t.name, t.format, None) in ws_keys
        result.append(TemplateInfo(t.name, t.locale, t.format, t.path, t.source, overridden=over))
    if locale is not None:
        chosen = set()
        for name, fmt in {(t.name, t.format) for t in result}:
            pick = _pick(result, name, fmt, locale, explicit=False)
            if pick is not None:
                chosen.add(pick.path)
        result = [TemplateInfo(t.name, t.locale, t.format, t.path, t.source, t.overridden,
                               selected=t.path in chosen) for t in result]
    return sorted(result, key=_sort_key)


def _pick(found: list[TemplateInfo], name: str, fmt: str, locale: str | None,
          explicit: bool) -> TemplateInfo | None:
    index = {(t.source, t.name, t.format, t.locale): t for t in found}
    for source, loc in _candidates(name, fmt, locale, explicit):
        t = index.get((source, name, fmt, loc))
        if t is not None:
            return t
    return None


def _parse_template_arg(template: str) -> tuple[str, str | None]:
    m = _TEMPLATE_ARG_RE.match(template or "")
    if m is None:
        raise DraftError(
            f"bad template name {template!r}: expected NAME or NAME.LOCALE "
            "(e.g. contract, contract.en_US)")
    return m.group("name"), m.group("locale")


def resolve_template(template: str = "contract", fmt: str = "md", locale: str | None = "zh_CN",
                     workspace_templates_dir: Path | None = None) -> TemplateInfo:
    """The template file :func:`render` uses, or DraftError listing what exists.

    For ``fmt="docx"`` without a docx template this returns the Markdown
    template that is converted.
    """
    if fmt not in FORMATS:
        raise DraftError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    name, explicit_locale = _parse_template_arg(template)
    found = list_templates(workspace_templates_dir)
    loc = explicit_locale or locale
    pick = _pick(found, name, fmt, loc, explicit=explicit_locale is not None)
    if pick is None and fmt == "docx":
        pick = _pick(found, name, "md", loc, explicit=explicit_locale is not None)
    if pick is not None:
        return pick
    wanted = f"{name}.{explicit_locale}" if explicit_locale else name
    same = sorted({f"{t.name}.{t.locale}.{t.format}" if t.locale else f"{t.name}.{t.format}"
                   for t in found if t.name == name})
    names = sorted({t.name for t in found})
    where = "the workspace templates/ folder or the shipped templates"
    if same:
        hint = f"; found {name} as: {', '.join(same)}"
    elif names:
        hint = f"; templates found: {', '.join(names)}"
    else:
        hint = "; no templates found"
    raise DraftError(f"no template {wanted!r} for format {fmt}"
                     f"{'' if explicit_locale else f' (locale {locale})'} in {where}{hint}")


# ---------------------------------------------------------------------------
# The sandboxed environment
# ---------------------------------------------------------------------------

class _UndefinedVariable(UndefinedError):
    """An UndefinedError that remembers what was undefined."""

    def __init__(self, undefined: "_Undefined", message: str | None = None):
        super().__init__(message)
        self.undefined_name = undefined._undefined_name
        self.undefined_obj = undefined._undefined_obj
        self.has_obj = undefined._undefined_obj is not jinja2.runtime.missing


class _Undefined(StrictUndefined):
    """StrictUndefined whose UndefinedError carries the name and owner object."""

    __slots__ = ()

    def __init__(self, hint: str | None = None, obj: Any = jinja2.runtime.missing,
                 name: str | None = None, exc: type = UndefinedError) -> None:
        if exc is UndefinedError:
            exc = partial(_UndefinedVariable, self)  # type: ignore[assignment]
        super().__init__(hint, obj, name, exc)


# What a draft may take.  The checks below refuse, naming the operation, the ways a template
# grows a value or spends time in one step; whatever they miss is stopped by the time and memory
# limits of the child process every draft is rendered in (see "Rendering under limits").
MAX_SECONDS = 10
MAX_MEMORY_MB = 512  # beyond what salesctl itself holds when the draft starts
_MAX_SIZE = 1_000_000  # the longest string or list a template may build, and the longest draft
_MAX_DIGITS = 4_300  # the longest integer (Python prints none longer either)
_MAX_WIDTH = 10_000  # the widest padding, wrapping or batch a contract template could want
_MAX_LOOP_STEPS = 1_000_000
_MAX_LIPSUM_PARAGRAPHS, _MAX_LIPSUM_WORDS = 100, 1_000


def _check_size(size: int, what: str) -> None:
    if size > _MAX_SIZE:
        raise SecurityError(f"{what} would be {size:,} long, more than {_MAX_SIZE:,}")


def _check_digits(bits: float, what: str) -> None:
    digits = int(bits / math.log2(10)) + 1
    if digits > _MAX_DIGITS:
        raise SecurityError(f"{what} would have about {digits:,} digits, more than {_MAX_DIGITS:,}")


def _too_wide(number: str) -> bool:
    digits = number.lstrip("0")
    return len(digits) > len(str(_MAX_WIDTH)) or int(digits or 0) > _MAX_WIDTH


def _check_widths(args, kwargs) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _MAX_WIDTH:
            raise SecurityError(f"width {value} is too large")


def _check_format_numbers(numbers: list[str]) -> None:
    for number in numbers:
        if number.isdigit() and _too_wide(number):
            raise SecurityError(f"format width {number[:12]}{'…' if len(number) > 12 else ''} is too large")


_PERCENT_FIELD = re.compile(r"%(?:%|(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?)")
_FORMATTER = string.Formatter()


def _check_percent(text: Any, args: Any) -> None:
    """Widths and precisions of a %-format (``'%08.2f' % x``), a ``*`` one taken from ``args``."""
    if not isinstance(text, str):
        return
    for width, precision in _PERCENT_FIELD.findall(text):
        if "*" in (width, precision):
            _check_widths(args if isinstance(args, tuple) else (args,), {})
        _check_format_numbers([width, precision])


def _check_braces(text: str, args: tuple, kwargs: dict) -> None:
    """Widths in a ``str.format`` text (``'{:>12}'``), a nested ``{}`` one taken from the arguments."""
    try:
        fields = list(_FORMATTER.parse(text))
    except ValueError:
        return  # str.format says what is wrong
    for _, _, spec, _ in fields:
        if spec and "{" in spec:
            _check_widths(args, kwargs)
        _check_format_numbers(re.findall(r"\d+", spec or ""))


def _check_multiply(left: Any, right: Any) -> None:
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, (str, list, tuple)) and isinstance(count, int):
            _check_size(len(seq) * count, "repetition result")
    if isinstance(left, int) and isinstance(right, int):
        _check_digits(left.bit_length() + right.bit_length() - 1, "product")


def _check_power(base: Any, exponent: Any) -> None:
    if isinstance(base, int) and isinstance(exponent, int):
        if exponent > 0 and abs(base) > 1:
            _check_digits(exponent * math.log2(abs(base)), "power")
    elif isinstance(exponent, (int, float, Decimal)) and abs(exponent) > 1000:
        raise SecurityError(f"exponent {exponent} is too large")


def _check_add(left: Any, right: Any) -> None:
    if isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
        _check_size(len(left) + len(right), "concatenation")


def _check_join(separator: Any, items: list) -> None:
    sep = len(separator) if isinstance(separator, str) else 0
    _check_size(sep * max(len(items) - 1, 0) + sum(len(x) for x in items if isinstance(x, str)),
                "join result")


def _check_replace(text: Any, old: Any, new: Any, count: Any = -1) -> None:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)) or len(new) <= len(old):
        return
    times = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    _check_size(len(text) + times * (len(new) - len(old)), "replace result")


_BINOP_CHECKS: dict[str, Callable[[Any, Any], None]] = {
    "*": _check_multiply, "**": _check_power, "+": _check_add, "%": _check_percent,
}


def _checked_binop(op: Callable[[Any, Any], Any], check: Callable[[Any, Any], None]) -> Callable[[Any, Any], Any]:
    def run(left: Any, right: Any) -> Any:
        check(left, right)
        return op(left, right)
    return run


_WIDTH_FILTERS = ("center", "indent", "truncate", "wordwrap", "batch", "slice")


def _bounded_filter(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with the check of filter ``name`` before it runs."""
    skip = 2 if getattr(fn, "jinja_pass_arg", None) else 1  # the environment or context, the value

    @wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        value, rest = args[skip - 1], args[skip:]
        if name == "format":
            _check_percent(value, rest or tuple(kwargs.values()))
        elif name == "join":
            items = list(value)
            _check_join(rest[0] if rest else kwargs.get("d", ""), items)
            args = (*args[:skip - 1], items, *rest)
        elif name == "replace":
            _check_replace(value, *rest[:3])
        else:
            _check_widths(rest, kwargs)
            if name == "indent" and isinstance(value, str):
                width = rest[0] if rest else kwargs.get("width", 4)
                _check_size(len(value) + value.count("\n") * (len(width) if isinstance(width, str) else width),
                            "indented text")
        return fn(*args, **kwargs)
    return run


_STR_METHODS = ("center", "ljust", "rjust", "zfill", "expandtabs", "format", "format_map", "join", "replace")


def _check_str_method(name: str, text: str, args: tuple, kwargs: dict) -> tuple:
    """The checks for ``text.name(*args, **kwargs)`` called from a template; the args to call it with."""
    if name == "format":
        _check_braces(text, args, kwargs)
    elif name == "format_map":
        _check_braces(text, (), args[0] if args and isinstance(args[0], dict) else {})
    elif name == "join" and args:
        items = list(args[0])
        _check_join(text, items)
        return (items, *args[1:])
    elif name == "replace":
        _check_replace(text, *args[:3])
    else:
        _check_widths(args, kwargs)
    return args


def _checked_method(obj: Any, name: Any, value: Any) -> Any:
    """``value`` (``obj.name``), checked before each call when it is a str method that can grow."""
    if not (isinstance(obj, str) and name in _STR_METHODS and callable(value)):
        return value

    def checked(*args: Any, **kwargs: Any) -> Any:
        return value(*_check_str_method(name, obj, args, kwargs), **kwargs)
    return checked


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:  # noqa: A002 (jinja's names)
    """jinja's ``lipsum`` within bounds: placeholder text, never a million paragraphs."""
    if n > _MAX_LIPSUM_PARAGRAPHS or max > _MAX_LIPSUM_WORDS:
        raise SecurityError(f"lipsum of {n:,} paragraphs of up to {max:,} words is too large "
                            f"(at most {_MAX_LIPSUM_PARAGRAPHS} of {_MAX_LIPSUM_WORDS:,})")
    return generate_lorem_ipsum(n, html, min, max)


class _DraftEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox for drafts: keys win over dict methods; what a template can grow is bounded.

    The sandbox stops attribute escapes; these checks refuse what would take the machine (a
    nested `range` loop, a 50-million-wide `center`, a power of a million digits) with a
    message naming it.  The limits of the child process stop whatever they miss.
    """

    intercepted_binops = frozenset(_BINOP_CHECKS)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for symbol, check in _BINOP_CHECKS.items():
            self.binop_table[symbol] = _checked_binop(self.binop_table[symbol], check)
        for name in (*_WIDTH_FILTERS, "format", "join", "replace"):
            self.filters[name] = _bounded_filter(name, self.filters[name])
        self.globals["range"] = self._range
        self.globals["lipsum"] = _lipsum
        self.start_budget()

    def start_budget(self) -> None:
        """Called before each render: loop steps and seconds are counted per draft."""
        self._steps = 0
        self._deadline = time.monotonic() + MAX_SECONDS

    def tick(self) -> None:
        self._steps += 1
        if self._steps > _MAX_LOOP_STEPS:
            raise SecurityError(f"template loops ran more than {_MAX_LOOP_STEPS:,} steps")
        if self._steps % 1000 == 0 and time.monotonic() > self._deadline:
            raise SecurityError(f"template ran longer than {MAX_SECONDS} s")

    def _range(self, *args: Any) -> Any:
        numbers = range(*args)
        if len(numbers) > _MAX_LOOP_STEPS:
            raise SecurityError(f"range of {len(numbers):,} items is too large")
        for number in numbers:
            self.tick()
            yield number

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict) and isinstance(attribute, str) and attribute in obj \
                and not attribute.startswith("_"):
            return obj[attribute]
        return _checked_method(obj, attribute, super().getattr(obj, attribute))

    def getitem(self, obj: Any, argument: Any) -> Any:
        return _checked_method(obj, argument, super().getitem(obj, argument))


class _DocxEnvironment(_DraftEnvironment):
    """The same sandbox for docxtpl, remembering the XML part it renders (for errors)."""

    last_source: str | None = None

    def from_string(self, source: Any, *args: Any, **kwargs: Any) -> Any:
        self.last_source = source if isinstance(source, str) else None
        return super().from_string(source, *args, **kwargs)


_PRIVATE_FOLDERS = (".git", ".salesctl")  # hold no templates; .git/config may hold a password


def _name_parts(name: str) -> list[str]:
    """The folders and file of a template name; a name going up a folder is refused."""
    parts = [part for part in name.replace("\\", "/").split("/") if part not in ("", ".")]
    if ".." in parts:
        raise SecurityError(f"template name {name!r} goes up a folder ('..')")
    return parts


def _contained(path: Path, boundary: Path, name: str) -> Path:
    """The real file behind ``path`` (links followed) when it lies inside ``boundary``."""
    real = path.resolve()
    if not real.is_relative_to(boundary):
        raise SecurityError(f"template {name!r} leads to {real}, outside the workspace")
    inside = real.relative_to(boundary).parts[:1]
    if inside and inside[0] in _PRIVATE_FOLDERS:
        raise SecurityError(f"template {name!r} leads into {inside[0]}/, which holds no templates")
    return real


class _TemplateFolder(jinja2.BaseLoader):
    """The templates of one folder.  A name going up a folder, and a link (or a linked folder)
    leading outside ``boundary`` or into its .git/ or .salesctl/, are refused: a cloned workspace
    cannot print ~/.ssh/id_rsa into a contract."""

    def __init__(self, folder: Path, boundary: Path):
        self.folder = folder
        self.boundary = boundary.resolve()

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        path = self.folder.joinpath(*_name_parts(template))
        if not path.exists():
            raise TemplateNotFound(template)
        real = _contained(path, self.boundary, template)
        if not real.is_file():  # a folder, a fifo, a device: not a template
            raise TemplateNotFound(template)
        mtime = real.stat().st_mtime
        source = real.read_text(encoding="utf-8")
        return source, str(path), lambda: _mtime(real) == mtime


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def _finalize(value: Any) -> Any:
    return "" if value is None else value


def _make_env(workspace_templates_dir: Path | None, *, autoescape: bool,
              for_docx: bool = False) -> _DraftEnvironment:
    """The sandboxed environment; for docx (docxtpl's XML) without trim/lstrip_blocks."""
    shipped_dir = shipped_templates_dir()
    shipped = _TemplateFolder(shipped_dir, shipped_dir)
    loaders: list[jinja2.BaseLoader] = [PrefixLoader({"shipped": shipped})]
    if workspace_templates_dir is not None:
        loaders.append(_TemplateFolder(workspace_templates_dir, _workspace_of(workspace_templates_dir)))
    loaders.append(shipped)
    env_class = _DocxEnvironment if for_docx else _DraftEnvironment
    env = env_class(
        loader=ChoiceLoader(loaders),
        undefined=_Undefined,
        autoescape=autoescape,
        keep_trailing_newline=True,
        trim_blocks=not for_docx,
        lstrip_blocks=not for_docx,
        finalize=_finalize,
        auto_reload=True,  # a cached environment still sees edited templates
    )
    env.filters.update(FILTERS)
    return env


def _workspace_of(workspace_templates_dir: Path) -> Path:
    """The workspace a templates folder belongs to: what its templates may link into.

    The folder holding ``templates/``, not the one a linked ``templates/`` leads to.
    """
    return Path(workspace_templates_dir).absolute().parent.resolve()


def _text_env(info: TemplateInfo, workspace_templates_dir: Path | None) -> _DraftEnvironment:
    """The environment for an md/html template, kept so that compiled templates are reused."""
    ws = Path(workspace_templates_dir).absolute() if workspace_templates_dir is not None else None
    return _cached_env(ws, info.format == "html")


@lru_cache(maxsize=16)
def _cached_env(workspace_templates_dir: Path | None, autoescape: bool) -> _DraftEnvironment:
    return _make_env(workspace_templates_dir, autoescape=autoescape)


# ---------------------------------------------------------------------------
# Errors: where in the template, which variable
# ---------------------------------------------------------------------------

def _display_path(filename: str | None, workspace_templates_dir: Path | None,
                  fallback: str) -> str:
    if not filename or filename.startswith("<"):
        return fallback
    path = Path(filename)
    if workspace_templates_dir is not None:
        root = Path(os.path.abspath(workspace_templates_dir)).parent
        try:  # links not followed: a link is named, not what it leads to
            return Path(os.path.abspath(path)).relative_to(root).as_posix()
        except ValueError:
            pass
    return str(path)


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """(filename, line) of the innermost template frame in the traceback."""
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        if "__jinja_exception__" in tb.tb_frame.f_globals:
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


_EXPR_PART = r"[A-Za-z_][A-Za-z0-9_]*(?:\s*\.\s*[A-Za-z_][A-Za-z0-9_]*|\[[^\[\]]*\])*"


def _variable_name(exc: _UndefinedVariable, source_line: str | None) -> str:
    """The dotted expression that was undefined, read off the template line."""
    name = exc.undefined_name
    if not exc.has_obj:
        return str(name)
    if source_line:
        if isinstance(name, str):
            tails = [rf"\s*\.\s*{re.escape(name)}\b", rf"\[\s*['\"]{re.escape(name)}['\"]\s*\]"]
        else:
            tails = [rf"\[\s*{re.escape(str(name))}\s*\]"]
        for tail in tails:
            m = re.search(rf"({_EXPR_PART}?)({tail})", source_line)
            if m:
                return re.sub(r"\s+", "", m.group(0))
    return str(name)


def _source_line(filename: str | None, line: int | None, source: str | None = None) -> str | None:
    if line is None:
        return None
    text = source
    if text is None and filename and not filename.startswith("<"):
        try:
            text = Path(filename).read_text(encoding="utf-8")
        except OSError:
            return None
    if text is None:
        return None
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else None


def _translate(exc: BaseException, info: TemplateInfo, workspace_templates_dir: Path | None,
               docx_source: str | None = None) -> DraftError:
    """A DraftError for an exception raised while loading or rendering a template.

    ``docx_source``: the XML part a docx template was rendering; its lines are
    paragraphs, so the location given is the paragraph's text, not a line.
    """
    fallback = _display_path(str(info.path), workspace_templates_dir, info.filename)
    if isinstance(exc, TemplateSyntaxError):
        filename, line = exc.filename, exc.lineno
    else:
        filename, line = _template_frame(exc)
    if docx_source is not None:
        where = fallback
        raw = _source_line(None, line, docx_source)
        text = re.sub(r"<[^>]+>", "", raw or "").strip()
        loc = f"{where} (paragraph {text[:60]!r})" if text else where
        line = None
    else:
        where = _display_path(filename, workspace_templates_dir, fallback)
        raw = _source_line(filename, line)
        loc = f"{where}:{line}" if line else where
    if isinstance(exc, MemoryError):
        return DraftError(_memory_message(loc), path=where, line=line)
    if isinstance(exc, _UndefinedVariable):
        var = _variable_name(exc, raw)
        return DraftError(f"{loc}: undefined variable '{var}'", path=where, line=line, variable=var)
    if isinstance(exc, SecurityError):
        return DraftError(f"{loc}: refused by the template sandbox: {exc}", path=where, line=line)
    if isinstance(exc, UndefinedError):
        return DraftError(f"{loc}: undefined: {exc}", path=where, line=line)
    if isinstance(exc, TemplateSyntaxError):
        return DraftError(f"{loc}: template syntax error: {exc.message}", path=where, line=line)
    if isinstance(exc, TemplateNotFound):
        return DraftError(f"{loc}: template not found: {exc.name}", path=where, line=line)
    message = str(exc) or type(exc).__name__
    return DraftError(f"{loc}: {message}", path=where, line=line)


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------

def _loader_name(info: TemplateInfo) -> str:
    return ("shipped/" if info.source == "shipped" else "") + info.filename


def _render_text(info: TemplateInfo, context: dict, workspace_templates_dir: Path | None) -> str:
    env = _text_env(info, workspace_templates_dir)
    try:
        tmpl = env.get_template(_loader_name(info))
        env.start_budget()
        chunks, size = [], 0
        for chunk in tmpl.generate(context):
            size += len(chunk)
            if size > _MAX_SIZE:
                raise SecurityError(f"draft output larger than {_MAX_SIZE:,} characters")
            env.tick()
            chunks.append(chunk)
        return "".join(chunks)
    except DraftError:
        raise
    except Exception as exc:  # every failure inside a template is the user's to fix
        raise _translate(exc, info, workspace_templates_dir) from exc


# The documented shape of the context.  `render` fills a documented field that
# is missing with None (an optional field left out of a record), so templates
# may test it; a name outside these lists stays undefined and is an error.
CONTEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "contract": ("id", "customer", "owner", "title", "status", "created", "signed", "start", "end",
                 "currency", "items", "amount", "payment_terms", "template", "approvals", "notes",
                 "paid", "balance", "pending_stage", "waiting_since", "waiting_days"),
    "customer": ("id", "name", "owner", "status", "tier", "key", "industry", "size", "region", "source",
                 "created", "contacts", "tags", "notes"),
    "contact": ("name", "title", "phone", "email", "primary"),
    "owner": ("id", "name", "role", "group", "manager", "email"),
    "company": ("name", "address", "tax_id", "phone", "bank", "representative"),
    "bank": ("name", "account"),
    "item": ("name", "quantity", "unit", "unit_price"),
    "approval": ("stage", "by", "date", "decision", "comment", "terms"),
    "receivable": ("id", "contract", "amount", "due", "invoice", "payments", "paid", "balance", "status"),
    "payment": ("date", "amount", "method", "ref"),
}
_LIST_FIELDS = {"items": ("item", "contract"), "approvals": ("approval", "contract"),
                "contacts": ("contact", "customer"), "payments": ("payment", "receivable")}


def _complete(value: Any, kind: str) -> Any:
    """A copy of a context mapping with its missing documented fields set to None."""
    if not isinstance(value, dict):
        return value
    out = dict(value)
    for name in CONTEXT_FIELDS[kind]:
        out.setdefault(name, None)
    for name, (item_kind, owner_kind) in _LIST_FIELDS.items():
        if owner_kind == kind and isinstance(out.get(name), list):
            out[name] = [_complete(v, item_kind) for v in out[name]]
    if kind == "company":
        out["bank"] = _complete(out["bank"], "bank")
    return out


def complete_context(context: dict) -> dict:
    """The context with every documented field present (missing ones None); input unchanged."""
    ctx = dict(context)
    for kind in ("contract", "customer", "contact", "owner", "company"):
        if kind in ctx:
            ctx[kind] = _complete(ctx[kind], kind)
    if isinstance(ctx.get("receivables"), list):
        ctx["receivables"] = [_complete(r, "receivable") for r in ctx["receivables"]]
    return ctx


def render(context: dict, *, template: str = "contract", fmt: str = "md", locale: str = "zh_CN",
           workspace_templates_dir: Path | None = None) -> str | bytes:
    """Render a draft: text for md and html, the bytes of a .docx for docx.

    ``template`` is ``NAME`` or ``NAME.LOCALE``; ``locale`` the workspace
    locale (prefers ``NAME.LOCALE.FORMAT.j2``).  Documented context fields
    that are missing are filled with None (:func:`complete_context`).  Workspace
    templates may link only to files inside the workspace, the folder holding
    ``workspace_templates_dir``.  The draft is rendered under time and memory
    limits (:func:`_bounded`).  Raises DraftError for a missing template, an
    undefined variable, a sandbox violation, a limit hit, any error inside the
    template, and for docx when the optional extra is missing.
    """
    info = resolve_template(template, fmt, locale, workspace_templates_dir)
    ctx = complete_context(context)
    ctx.setdefault("locale", info.locale or locale)
    where = _display_path(str(info.path), workspace_templates_dir, info.filename)
    if info.source == "shipped" and info.format != "docx":
        # our own template is compiled here, once, and every draft's child process finds it
        # compiled; a workspace template is compiled only in the child, under the limits
        _text_env(info, workspace_templates_dir).get_template(_loader_name(info))
    return _bounded(partial(_render, info, ctx, fmt, locale, workspace_templates_dir), where)


def _render(info: TemplateInfo, ctx: dict, fmt: str, locale: str,
            workspace_templates_dir: Path | None) -> str | bytes:
    if fmt != "docx":
        return _render_text(info, ctx, workspace_templates_dir)
    if info.format == "docx":
        return _render_docx_template(info, ctx, workspace_templates_dir)
    text = _render_text(info, ctx, workspace_templates_dir)
    return markdown_to_docx(text, locale=info.locale or ctx.get("locale") or locale)


def _render_docx_template(info: TemplateInfo, context: dict,
                          workspace_templates_dir: Path | None) -> bytes:
    try:
        from docxtpl import DocxTemplate
    except ImportError:
        raise DraftError(DOCX_EXTRA_MESSAGE) from None

    env = _make_env(workspace_templates_dir, autoescape=True, for_docx=True)
    try:
        boundary = _workspace_of(workspace_templates_dir) if info.source == "workspace" \
            else shipped_templates_dir().resolve()
        doc = DocxTemplate(str(_contained(info.path, boundary, info.filename)))
        doc.render(context, jinja_env=env, autoescape=True)
        out = io.BytesIO()
        doc.save(out)
    except DraftError:
        raise
    except Exception as exc:
        if env.last_source is None and not isinstance(exc, (SecurityError, MemoryError)):
            where = _display_path(str(info.path), workspace_templates_dir, info.filename)
            raise DraftError(f"{where}: not a usable docx template: {exc}", path=where) from exc
        raise _translate(exc, info, workspace_templates_dir, docx_source=env.last_source) from exc
    return out.getvalue()


# ---------------------------------------------------------------------------
# Rendering under limits: a child process that is stopped after MAX_SECONDS
# and cannot take more than MAX_MEMORY_MB
# ---------------------------------------------------------------------------

_OUT_OF_MEMORY = 3  # the child's exit status when even reporting ran out of memory


def _bounded(work: Callable[[], str | bytes], where: str) -> str | bytes:
    """``work()`` run in a forked child process that cannot outlive the time limit or outgrow
    the memory limit, whatever the template does; its result, or its DraftError, here.

    Without fork (Windows) ``work`` runs in this process, bounded only by the checks of the
    sandbox and the loop deadline.  ``where`` names the template in the messages.
    """
    if not hasattr(os, "fork"):
        return work()
    deadline = time.monotonic() + MAX_SECONDS
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError as exc:  # too many processes, or no memory left for one more
        os.close(read_end)
        os.close(write_end)
        raise DraftError(f"{where}: cannot start the process drafts render in: {exc.strerror}", path=where) from exc
    if pid == 0:
        os.close(read_end)
        _child(work, write_end)
    status = None
    try:
        os.close(write_end)
        report = _read_until(read_end, deadline)
        if report is None:
            os.kill(pid, signal.SIGKILL)
        status = os.waitpid(pid, 0)[1]
    finally:
        os.close(read_end)
        if status is None:  # interrupted (Ctrl-C): the child goes too
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    return _outcome(report, status, where)


def _child(work: Callable[[], str | bytes], fd: int) -> None:
    """Run ``work`` under the limits and write what came of it to ``fd``; never returns."""
    status = 1
    try:
        gc.freeze()  # collections here leave the parent's objects, and so their pages, alone
        _limit_resources()
        try:
            result = work()
            report = b"T" + result.encode("utf-8") if isinstance(result, str) else b"B" + result
        except DraftError as exc:
            report = b"E" + json.dumps([exc.message, exc.path, exc.line, exc.variable]).encode("utf-8")
        except Exception:  # a bug of salesctl: its traceback, for --debug
            report = b"X" + traceback.format_exc().encode("utf-8")
        view = memoryview(report)
        while view:
            view = view[os.write(fd, view):]
        status = 0
    except MemoryError:
        status = _OUT_OF_MEMORY
    finally:
        os._exit(status)  # no atexit handlers, no flushing of the parent's buffers


def _limit_resources() -> None:
    """Lower this process's CPU time and address space (Linux; elsewhere where the system allows)."""
    import resource

    def lower(which: int, limit: int) -> None:
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        try:
            resource.setrlimit(which, (limit, limit))
        except (ValueError, OSError):
            pass  # not enforced here (macOS's address space): the parent's clock still is

    lower(resource.RLIMIT_CPU, math.ceil(MAX_SECONDS) + 1)  # should the parent be gone
    try:
        with open("/proc/self/statm") as fh:  # the address space already mapped, in pages
            mapped = int(fh.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return
    lower(resource.RLIMIT_AS, mapped + MAX_MEMORY_MB * 2**20)


def _read_until(fd: int, deadline: float) -> bytes | None:
    """Everything written to ``fd`` until it is closed; None when the deadline passes first."""
    chunks = []
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def _outcome(report: bytes | None, status: int, where: str) -> str | bytes:
    """The child's result, or the DraftError saying which limit stopped it."""
    if report is None or (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU):
        raise DraftError(f"{where}: stopped: the draft took longer than {MAX_SECONDS} s", path=where)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == _OUT_OF_MEMORY:
        raise DraftError(_memory_message(where), path=where)
    if status != 0 or not report:
        how = (f"signal {signal.Signals(os.WTERMSIG(status)).name}" if os.WIFSIGNALED(status)
               else f"exit status {os.WEXITSTATUS(status)}")
        raise DraftError(f"{where}: stopped: rendering ended unexpectedly ({how}); it may have run out "
                         f"of memory", path=where)
    kind, body = report[:1], report[1:]
    if kind == b"T":
        return body.decode("utf-8")
    if kind == b"B":
        return body
    if kind == b"E":
        message, path, line, variable = json.loads(body)
        raise DraftError(message, path=path, line=line, variable=variable)
    child_traceback = body.decode("utf-8", "replace")
    error = RuntimeError(f"while rendering {where}: {child_traceback.strip().splitlines()[-1]}")
    if hasattr(error, "add_note"):
        error.add_note(child_traceback)
    raise error


def _memory_message(where: str) -> str:
    return f"{where}: stopped: the draft needs more than {MAX_MEMORY_MB} MB of memory"


# ---------------------------------------------------------------------------
# Markdown -> Word
# ---------------------------------------------------------------------------

_TABLE_SEP_RE = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_INLINE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])|(\*\*)(.+?)\*\*|\*(?!\s)(.+?)(?<!\s)\*"
                        r"|`([^`]+)`|<br\s*/?>", re.S)
_CJK_RE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def _split_row(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    cells, cur, i = [], [], 0
    while i < len(s):
        ch = s[i]
        if ch == "\\" and i + 1 < len(s):
            cur.append(s[i:i + 2])
            i += 2
            continue
        if ch == "|":
            cells.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
        i += 1
    cells.append("".join(cur).strip())
    return cells


def _join_lines(lines: list[str]) -> str:
    """Join the lines of one paragraph; a hard break (two spaces or \\) stays a newline."""
    out = ""
    for i, raw in enumerate(lines):
        hard = raw.endswith("  ") or (raw.endswith("\\") and not raw.endswith("\\\\"))
        line = raw.rstrip()
        if line.endswith("\\") and hard:
            line = line[:-1]
        line = line.strip()
        if i and out and not out.endswith("\n"):
            if not (_CJK_RE.search(out[-1]) or _CJK_RE.search(line[:1] or " ")):
                out += " "
        out += line
        if hard and i < len(lines) - 1:
            out += "\n"
    return out


def _add_runs(paragraph: Any, text: str, bold: bool = False) -> None:
    pos = 0

    def plain(s: str, b: bool = bold, i: bool = False) -> None:
        parts = s.split("\n")
        for k, part in enumerate(parts):
            if k:
                paragraph.add_run().add_break()
            if part:
                run = paragraph.add_run(part)
                run.bold = b or None
                run.italic = i or None

    for m in _INLINE_RE.finditer(text):
        plain(text[pos:m.start()])
        if m.group(1) is not None:
            plain(m.group(1))
        elif m.group(3) is not None:
            _add_runs(paragraph, m.group(3), bold=True)
        elif m.group(4) is not None:
            plain(m.group(4), bold, True)
        elif m.group(5) is not None:
            plain(m.group(5))
        else:
            plain("\n")
        pos = m.end()
    plain(text[pos:])


def _style_document(doc: Any, locale: str | None) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = section.bottom_margin = Mm(25)
        section.left_margin = section.right_margin = Mm(25)
    chinese = not (locale or "").startswith("en")

    def font(style: Any, east_asia: str, size: float, bold: bool | None) -> None:
        """Times New Roman for Latin text, ``east_asia`` for Chinese, black."""
        rpr = style.element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.insert(0, rfonts)
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            rfonts.attrib.pop(qn(attr), None)
        for attr in ("w:ascii", "w:hAnsi", "w:cs"):
            rfonts.set(qn(attr), "Times New Roman")
        rfonts.set(qn("w:eastAsia"), east_asia)
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.color.rgb = RGBColor(0, 0, 0)

    styles = doc.styles
    font(styles["Normal"], "宋体", 10.5 if chinese else 11, None)
    styles["Normal"].paragraph_format.space_after = Pt(4)
    styles["Normal"].paragraph_format.line_spacing = 1.35
    sizes = {1: 18, 2: 12, 3: 11, 4: 10.5}
    for level, size in sizes.items():
        st = styles[f"Heading {level}"]
        font(st, "黑体", size, True)
        st.font.italic = False
        st.paragraph_format.space_before = Pt(10 if level > 1 else 0)
        st.paragraph_format.space_after = Pt(6)
    styles["Heading 1"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER


def markdown_to_docx(markdown: str, *, locale: str | None = "zh_CN", title: str | None = None) -> bytes:
    """A Word document (A4) from the Markdown subset the contract templates use.

    Headings (``#``..``####``; ``#`` centred), paragraphs (lines joined, hard
    breaks kept), pipe tables with alignment, ``-``/``*`` bullets, numbered
    items (numbers kept as written), ``>`` quotes, ``---`` rules,
    ``<!-- pagebreak -->`` page breaks, other HTML comments dropped;
    inline ``**bold**``, ``*italic*``, ```code```, ``<br>`` and backslash
    escapes.  Underscores are always literal (``____`` is a blank to fill
    in, never emphasis).  Needs python-docx (the ``docx`` extra).
    """
    try:
        import docx
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    except ImportError:
        raise DraftError(DOCX_EXTRA_MESSAGE) from None

    doc = docx.Document()
    _style_document(doc, locale)
    align_map = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                 "right": WD_ALIGN_PARAGRAPH.RIGHT}
    lines = markdown.splitlines()
    i = 0
    para: list[str] = []
    first_heading = None

    def flush() -> None:
        if para:
            p = doc.add_paragraph()
            _add_runs(p, _join_lines(para))
            para.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("<!--"):
            flush()
            comment = [stripped]
            while "-->" not in comment[-1] and i + 1 < len(lines):
                i += 1
                comment.append(lines[i].strip())
            if re.fullmatch(r"<!--\s*page-?break\s*-->", " ".join(comment), re.I):
                doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            i += 1
            continue
        if not stripped:
            flush()
            i += 1
            continue
        m = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", stripped)
        if m:
            flush()
            level = min(len(m.group(1)), 4)
            h = doc.add_heading(level=level)
            _add_runs(h, m.group(2))
            if first_heading is None:
                first_heading = re.sub(r"[*`\\]", "", m.group(2))
            i += 1
            continue
        if re.fullmatch(r"(\*\s*){3,}|(-\s*){3,}|(_\s*){3,}", stripped) and not para:
            flush()
            doc.add_paragraph()
            i += 1
            continue
        if stripped.startswith("|") and i + 1 < len(lines) and _TABLE_SEP_RE.match(lines[i + 1]):
            flush()
            header = _split_row(stripped)
            aligns = []
            for spec in _split_row(lines[i + 1].strip()):
                spec = spec.strip()
                aligns.append("center" if spec.startswith(":") and spec.endswith(":")
                              else "right" if spec.endswith(":") else "left")
            rows = []
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(_split_row(lines[i]))
                i += 1
            ncols = len(header)
            table = doc.add_table(rows=1 + len(rows), cols=ncols)
            table.style = doc.styles["Table Grid"]
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for r, cells in enumerate([header] + rows):
                for c in range(ncols):
                    cell_p = table.rows[r].cells[c].paragraphs[0]
                    _add_runs(cell_p, cells[c] if c < len(cells) else "", bold=(r == 0))
                    cell_p.alignment = align_map[aligns[c] if c < len(aligns) else "left"]
                    cell_p.paragraph_format.space_after = 0
            continue
        m = re.match(r"^\s*([-*+])\s+(.*)$", line)
        if m and not para:
            p = doc.add_paragraph(style="List Bullet")
            _add_runs(p, m.group(2).strip())
            i += 1
            continue
        m = re.match(r"^\s*(\d+[.)])\s+(.*)$", line)
        if m and not para:
            p = doc.add_paragraph()
            p.paragraph_format.left_indent = docx.shared.Pt(21)
            p.paragraph_format.first_line_indent = docx.shared.Pt(-21)
            _add_runs(p, f"{m.group(1)} {m.group(2).strip()}")
            i += 1
            continue
        if stripped.startswith(">"):
            flush()
            quote = []
            while i < len(lines) and lines[i].strip().startswith(">"):
                quote.append(re.sub(r"^\s*>\s?", "", lines[i]))
                i += 1
            p = doc.add_paragraph(style="Quote")
            _add_runs(p, _join_lines(quote))
            continue
        para.append(line)
        i += 1
    flush()
    doc.core_properties.title = title or first_heading or ""
    doc.core_properties.author = "salesctl"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- the context of one contract, from the workspace ---------------------------------------

def contract_context(ws, contract, as_of: _dt.date) -> dict:
    """What a contract template sees (SPEC section 8, draft): records plus derived values."""
    from . import derive

    customer = ws.get("customers", contract.get("customer"))
    contacts = (customer.get("contacts") or []) if customer else []
    contact = next((c for c in contacts if c.get("primary")), contacts[0] if contacts else None)
    receivables = sorted(ws.receivables_of(contract.id), key=lambda r: (r["due"], r.id))
    return {
        "contract": {**contract.data, **derived_without_records(derive.derived_fields(ws, contract, as_of))},
        "customer": dict(customer.data) if customer else None,
        "contact": dict(contact) if contact else None,
        "owner": ws.member(contract.get("owner")),
        "company": ws.config.company,
        "receivables": [{**r.data, **derive.derived_fields(ws, r, as_of)} for r in receivables],
        "today": as_of,
        "locale": ws.config.locale,
    }


def derived_without_records(fields: dict) -> dict:
    return {k: v for k, v in fields.items() if k != "counted"}


def contract_problems(ws, contract) -> list:
    """The errors that make a draft of this contract unsafe: its own and its receivables'."""
    keys = {contract.key} | {r.key for r in ws.receivables_of(contract.id)}
    return [p for p in ws.problems if p.is_error and p.record in keys]
