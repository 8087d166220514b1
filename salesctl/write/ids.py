"""The id a new record gets: the next of its collection's most common numbered family, or a
template of the record's own fields.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from ..model import fields as F

DEFAULT_PREFIX = {"customers": "CUS-", "visits": "V-", "contracts": "CT-", "receivables": "RCV-", "reviews": "REV-"}

_NUMBERED = re.compile(r"^(.*?)([0-9]+)$")
_YEAR = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")


def next_id(ws, collection: str, as_of: date, record: dict | None = None, taken=()) -> str:
    """The id a new record gets, following the collection's pattern.

    Numbered ids continue their most common family: CUS-0013 after CUS-0012; a year in the
    prefix follows the entry date (CT-2027-001 is the first contract of 2027). Ids without a
    number (REV-2026-Q3-zhang) are a template of the record's own fields (REV-2026-Q4-wang).
    """
    records = ws.records[collection]
    ids = {str(r.id) for r in records if r.id is not None} | set(taken)
    numbered = [m.groups() for i in ids if (m := _NUMBERED.match(i))]
    if not numbered:
        made = _from_template(records, record or {})
        if made and made not in ids:
            return made
        numbered_prefix, width, start = DEFAULT_PREFIX[collection], 4, 1
    else:
        families = Counter(_YEAR.sub("####", prefix) for prefix, _ in numbered)
        best = max(families, key=lambda f: (families[f], max(natural(p + d) for p, d in numbered
                                                                 if _YEAR.sub("####", p) == f)))
        members = [(p, d) for p, d in numbered if _YEAR.sub("####", p) == best]
        if best.count("####") == 1:
            numbered_prefix = best.replace("####", str(as_of.year))
        else:
            numbered_prefix = max(members, key=lambda m: natural(m[0] + m[1]))[0]
        width = max(len(d) for _, d in members)
        start = max((int(d) for p, d in members if p == numbered_prefix), default=0) + 1
    number = start
    while f"{numbered_prefix}{number:0{width}d}" in ids:
        number += 1
    return f"{numbered_prefix}{number:0{width}d}"


def natural(text: str) -> tuple:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.findall(r"[0-9]+|[^0-9]+", text))


def _from_template(records, record: dict) -> str | None:
    """REV-{period}-{rep} from the last existing REV-2026-Q3-zhang, filled from `record`."""
    if not records:
        return None
    model = max(records, key=lambda r: natural(str(r.id or "")))
    template = str(model.id or "")
    values = sorted(((name, str(value)) for name, value in model.data.items()
                     if name != "id" and isinstance(value, str) and len(value) >= 2 and F.ID_PATTERN.fullmatch(value)),
                    key=lambda pair: -len(pair[1]))
    used = []
    for name, value in values:
        if value in template:
            template = template.replace(value, "{" + name + "}", 1)
            used.append(name)
    if not used or any(not isinstance(record.get(name), str) for name in used):
        return None
    made = template.format(**{name: record[name] for name in used})
    return made if F.ID_PATTERN.fullmatch(made) else None
