"""Reminders as group-robot messages: markdown, one section per person, split under a size limit.

A robot posts to the whole group, so each person's reminders form a section headed by their name
(and, on DingTalk, `@mobile`, which the app shows as a mention). Text from the records cannot
format a message: characters markdown reads as links, mentions, HTML or emphasis are shown as
their full-width forms, and line breaks as spaces. No message passes `limit` UTF-8 bytes: sections
are packed in team order, a section too long for one message goes on in the next under the
person's name again, and an item line too long for any message is cut short.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .mail import CONTROL

FULL_WIDTH = str.maketrans({"\\": "＼", "`": "｀", "*": "＊", "[": "［", "]": "］", "<": "＜", ">": "＞"})
NAME_BYTES = 200  # a name longer than this is cut short in a heading
ELLIPSIS = "…"


@dataclass(frozen=True)
class Style:
    """How a platform's markdown shows an item and a mention."""

    item: str  # what starts an item line
    mentions: bool  # whether `@mobile` goes into the text (DingTalk); WeCom mentions in a text message


STYLES = {"wecom": Style(item="> ", mentions=False), "dingtalk": Style(item="- ", mentions=True)}


@dataclass
class Section:
    person: str  # team member id
    name: str
    mobile: str | None  # as `mention_number` gives it
    items: list


@dataclass
class Post:
    """One message: its markdown, and whose items it carries [(person, items, mobile)]."""

    text: str
    parts: list = field(default_factory=list)

    @property
    def mobiles(self) -> list[str]:
        return [mobile for _, _, mobile in self.parts if mobile]


def plain(text) -> str:
    """Record text that formats nothing: one line, markdown's special characters in full width."""
    return " ".join(CONTROL.sub(" ", str(text)).translate(FULL_WIDTH).split())


def mention_number(mobile: str | None) -> str | None:
    """The digits the platforms match a member by: spaces and hyphens dropped, and the +86 (or 86)
    of a mainland number too."""
    if not mobile:
        return None
    digits = re.sub(r"[\s-]", "", mobile)
    digits = re.sub(r"^\+?86(?=1\d{10}$)", "", digits)
    return digits or None


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def cut(text: str, limit: int) -> str:
    """`text` within `limit` bytes, ending in an ellipsis when it had to be cut."""
    if size(text) <= limit:
        return text
    return text.encode("utf-8")[:max(0, limit - size(ELLIPSIS))].decode("utf-8", "ignore") + ELLIPSIS


def posts(sections: list[Section], *, title: str, words: dict, style: Style, limit: int) -> list[Post]:
    """The messages that carry every item of every section, in order, each within `limit` bytes."""
    head = f"## {plain(title)}\n\n"
    room = limit - size(head)
    out: list[Post] = []
    for section in sections:
        for block, items in _blocks(section, words, style, room):
            last = out[-1] if out else None
            if last is not None and size(last.text) + 2 + size(block) <= limit:
                last.text += "\n\n" + block
            else:
                last = Post(head + block)
                out.append(last)
            last.parts.append((section.person, items, section.mobile))
    return out


def _blocks(section: Section, words: dict, style: Style, room: int) -> list[tuple[str, list]]:
    """The section as one block of at most `room` bytes, or as several, each under the name again."""
    who = cut(plain(section.name), NAME_BYTES)
    mention = f" @{section.mobile}" if style.mentions and section.mobile else ""
    first = f"#### {words['section'].format(who=who, count=len(section.items))}{mention}"
    more = f"#### {words['continued'].format(who=who)}{mention}"
    width = room - max(size(first), size(more)) - 1
    lines = [cut(_line(item, words, style), width) for item in section.items]
    blocks, heading, current = [], first, []
    for item, line in zip(section.items, lines):
        if current and size(heading) + sum(size(x) + 1 for _, x in current) + size(line) + 1 > room:
            blocks.append((heading + "".join("\n" + x for _, x in current), [i for i, _ in current]))
            heading, current = more, []
        current.append((item, line))
    blocks.append((heading + "".join("\n" + x for _, x in current), [i for i, _ in current]))
    return blocks


def _line(item: dict, words: dict, style: Style) -> str:
    kind = words["kinds"][item["kind"]]
    return f"{style.item}**{kind}** {item['date'].isoformat()} {plain(item['ref'])} {plain(item['message'])}"
