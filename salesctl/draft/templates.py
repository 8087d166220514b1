"""Template files: where they are found (the workspace's `templates/`, else the shipped ones) and
which one a draft uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import DraftError

FORMATS = ("md", "html", "docx")
DOCX_EXTRA_MESSAGE = "docx output needs the optional extra: pip install 'salesctl[docx]'"


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
    return Path(__file__).resolve().parent.parent.parent / "templates"


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
