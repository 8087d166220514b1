"""The jinja2 sandbox drafts render in: what a template may reach, and how far it may grow a value.

Templates run in an ``ImmutableSandboxedEnvironment`` with ``StrictUndefined``; the checks here
refuse, naming the operation, the known ways to grow a value or spend time in one step, and the
template loaders read only from inside the workspace. The time and memory limits of the child
process every draft renders in (`render`) stop whatever these miss.
"""

from __future__ import annotations

import math
import re
import string
import time
from decimal import Decimal
from functools import lru_cache, partial, wraps
from pathlib import Path
from typing import Any, Callable

import jinja2
from jinja2 import ChoiceLoader, PrefixLoader, StrictUndefined
from jinja2.exceptions import SecurityError, TemplateNotFound, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum

from .filters import FILTERS
from .templates import TemplateInfo, shipped_templates_dir

# ---------------------------------------------------------------------------
# The sandboxed environment
# ---------------------------------------------------------------------------

class UndefinedVariable(UndefinedError):
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
            exc = partial(UndefinedVariable, self)  # type: ignore[assignment]
        super().__init__(hint, obj, name, exc)


# What a draft may take.  The checks below refuse, naming the operation, the ways a template
# grows a value or spends time in one step; whatever they miss is stopped by the time and memory
# limits of the child process every draft is rendered in (`render.MAX_SECONDS`, `MAX_MEMORY_MB`).
MAX_SIZE = 1_000_000  # the longest string or list a template may build, and the longest draft
_MAX_DIGITS = 4_300  # the longest integer (Python prints none longer either)
_MAX_WIDTH = 10_000  # the widest padding, wrapping or batch a contract template could want
_MAX_LOOP_STEPS = 1_000_000
_MAX_LIPSUM_PARAGRAPHS, _MAX_LIPSUM_WORDS = 100, 1_000


def _check_size(size: int, what: str) -> None:
    if size > MAX_SIZE:
        raise SecurityError(f"{what} would be {size:,} long, more than {MAX_SIZE:,}")


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


class DraftEnvironment(ImmutableSandboxedEnvironment):
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
        self.start_budget(math.inf)

    def start_budget(self, seconds: float) -> None:
        """Called before each render: loop steps and seconds are counted per draft."""
        self._steps = 0
        self._seconds = seconds
        self._deadline = time.monotonic() + seconds

    def tick(self) -> None:
        self._steps += 1
        if self._steps > _MAX_LOOP_STEPS:
            raise SecurityError(f"template loops ran more than {_MAX_LOOP_STEPS:,} steps")
        if self._steps % 1000 == 0 and time.monotonic() > self._deadline:
            raise SecurityError(f"template ran longer than {self._seconds} s")

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


class _DocxEnvironment(DraftEnvironment):
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


def contained(path: Path, boundary: Path, name: str) -> Path:
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
        real = contained(path, self.boundary, template)
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


def make_env(workspace_templates_dir: Path | None, *, autoescape: bool,
              for_docx: bool = False) -> DraftEnvironment:
    """The sandboxed environment; for docx (docxtpl's XML) without trim/lstrip_blocks."""
    shipped_dir = shipped_templates_dir()
    shipped = _TemplateFolder(shipped_dir, shipped_dir)
    loaders: list[jinja2.BaseLoader] = [PrefixLoader({"shipped": shipped})]
    if workspace_templates_dir is not None:
        loaders.append(_TemplateFolder(workspace_templates_dir, workspace_of(workspace_templates_dir)))
    loaders.append(shipped)
    env_class = _DocxEnvironment if for_docx else DraftEnvironment
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


def workspace_of(workspace_templates_dir: Path) -> Path:
    """The workspace a templates folder belongs to: what its templates may link into.

    The folder holding ``templates/``, not the one a linked ``templates/`` leads to.
    """
    return Path(workspace_templates_dir).absolute().parent.resolve()


def text_env(info: TemplateInfo, workspace_templates_dir: Path | None) -> DraftEnvironment:
    """The environment for an md/html template, kept so that compiled templates are reused."""
    ws = Path(workspace_templates_dir).absolute() if workspace_templates_dir is not None else None
    return _cached_env(ws, info.format == "html")


@lru_cache(maxsize=16)
def _cached_env(workspace_templates_dir: Path | None, autoescape: bool) -> DraftEnvironment:
    return make_env(workspace_templates_dir, autoescape=autoescape)
