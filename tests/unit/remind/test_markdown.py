"""Robot messages: one section per person, mentions, record text that formats nothing, the size limit."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from salesctl.remind.markdown import STYLES, Section, cut, mention_number, plain, posts
from salesctl.render.locale import reminder_texts

ZH = reminder_texts("zh_CN")
EN = reminder_texts("en_US")


def item(ref, message, kind="dormant", day=date(2026, 6, 1)):
    return {"kind": kind, "ref": ref, "customer": ref, "date": day, "message": message}


ZHANG = Section("zhang", "张伟", "13800138000", [item("CUS-1", "甲公司 已 29 天未联系（上限 14 天）"),
                                                item("RCV-7", "乙公司 逾期 3 天", kind="collect", day=date(2026, 6, 27))])
ZHOU = Section("zhou", "周杰", None, [item("CUS-3", "丙公司 已 29 天未联系（上限 14 天）")])


def test_wecom_message_quotes_each_item_under_the_persons_name():
    [post] = posts([ZHANG, ZHOU], title="销售提醒 2026-06-30", words=ZH, style=STYLES["wecom"], limit=4096)
    assert post.text == (
        "## 销售提醒 2026-06-30\n\n"
        "#### 张伟：2 项待办\n"
        "> **久未联系** 2026-06-01 CUS-1 甲公司 已 29 天未联系（上限 14 天）\n"
        "> **逾期催收** 2026-06-27 RCV-7 乙公司 逾期 3 天\n\n"
        "#### 周杰：1 项待办\n"
        "> **久未联系** 2026-06-01 CUS-3 丙公司 已 29 天未联系（上限 14 天）")
    assert post.parts == [("zhang", ZHANG.items, "13800138000"), ("zhou", ZHOU.items, None)]
    assert post.mobiles == ["13800138000"]


def test_dingtalk_message_mentions_by_mobile_in_the_text():
    [post] = posts([ZHANG, ZHOU], title="Sales reminders 2026-06-30", words=EN, style=STYLES["dingtalk"], limit=3500)
    assert post.text == (
        "## Sales reminders 2026-06-30\n\n"
        "#### 张伟 (2) @13800138000\n"
        "- **dormant** 2026-06-01 CUS-1 甲公司 已 29 天未联系（上限 14 天）\n"
        "- **collect** 2026-06-27 RCV-7 乙公司 逾期 3 天\n\n"
        "#### 周杰 (1)\n"
        "- **dormant** 2026-06-01 CUS-3 丙公司 已 29 天未联系（上限 14 天）")


def test_record_text_cannot_mention_link_or_format():
    assert plain("<@all> [点这里](http://evil.example) **急**\n# 标题\r\n`x`\\") == \
        "＜@all＞ ［点这里］(http://evil.example) ＊＊急＊＊ # 标题 ｀x｀＼"
    evil = Section("zhang", "张伟\n#### 假的", None, [item("CUS-1", "<@all>\n> 假冒")])
    [post] = posts([evil], title="t", words=ZH, style=STYLES["wecom"], limit=4096)
    assert post.text == "## t\n\n#### 张伟 #### 假的：1 项待办\n> **久未联系** 2026-06-01 CUS-1 ＜@all＞ ＞ 假冒"


def test_mobiles_become_the_digits_the_platforms_match():
    assert mention_number("138 0013 8000") == "13800138000"
    assert mention_number("+86 139-0013-9000") == "13900139000"
    assert mention_number("8613900139000") == "13900139000"
    assert mention_number("+1 415 555 0100") == "+14155550100"  # not a mainland number: kept whole
    assert mention_number(None) is None and mention_number("") is None


def test_sections_go_to_the_next_message_when_the_limit_would_pass():
    a, b, c = (Section(p, p.upper(), None, [item("R", "ab")]) for p in ("a", "b", "c"))
    # "## t\n\n" = 6 bytes. A block: "#### A：1 项待办" = 5 + 1 + 3 + 1 + 1 + 9 = 20 bytes, "\n", and
    # "> **久未联系** 2026-06-01 R ab" = 2 + 2 + 12 + 2 + 1 + 10 + 1 + 1 + 1 + 2 = 34 bytes: 55 in all.
    # Two blocks and the "\n\n" between them: 6 + 55 + 2 + 55 = 118 bytes, the limit here.
    out = posts([a, b, c], title="t", words=ZH, style=STYLES["wecom"], limit=118)
    assert [len(p.text.encode()) for p in out] == [118, 61]  # the third block alone: 6 + 55
    assert [[person for person, _, _ in p.parts] for p in out] == [["a", "b"], ["c"]]


def test_a_long_section_goes_on_under_the_name_again():
    lines = [item(f"R{n}", "x" * 40) for n in range(4)]
    # an item line: "> **久未联系** 2026-06-01 Rn " and 40 x = 2 + 2 + 12 + 2 + 1 + 10 + 1 + 2 + 1 + 40 = 73 bytes;
    # "#### 张伟：4 项待办" = 5 + 6 + 3 + 1 + 1 + 9 = 25 bytes, "#### 张伟（续）" = 5 + 6 + 9 = 20 bytes.
    # Limit 200 leaves 200 - 6 = 194 for a block: 25 + 74 + 74 = 173 fits, a third line (247) does not.
    big = Section("zhang", "张伟", None, lines)
    out = posts([big], title="t", words=ZH, style=STYLES["wecom"], limit=200)
    assert [p.text.split("\n")[2] for p in out] == ["#### 张伟：4 项待办", "#### 张伟（续）"]
    assert [[i["ref"] for i in p.parts[0][1]] for p in out] == [["R0", "R1"], ["R2", "R3"]]
    assert all(len(p.text.encode()) <= 200 for p in out)


def test_an_item_too_long_for_any_message_is_cut_short():
    huge = Section("zhang", "张伟", None, [item("CUS-1", "很长" * 3000)])
    [post] = posts([huge], title="销售提醒 2026-06-30", words=ZH, style=STYLES["wecom"], limit=4096)
    assert len(post.text.encode()) <= 4096 and post.text.endswith("…")
    assert cut("甲乙丙", 7) == "甲…"  # 3 bytes of 甲 + 3 of the ellipsis; 乙 would pass 7
    assert cut("甲乙", 6) == "甲乙"


ITEMS = st.lists(st.builds(item, st.from_regex(r"[A-Z]{1,3}-[0-9]{1,4}", fullmatch=True),
                           st.text(min_size=0, max_size=400)), min_size=1, max_size=12)


@settings(max_examples=150, deadline=None)
@given(sections=st.lists(st.tuples(st.text(min_size=1, max_size=60), st.booleans(), ITEMS), min_size=1, max_size=8),
       limit=st.integers(min_value=600, max_value=4096), via=st.sampled_from(["wecom", "dingtalk"]))
def test_no_message_passes_the_limit_and_every_item_goes_once_in_order(sections, limit, via):
    given_sections = [Section(f"p{n}", name, "13800138000" if mobile else None, items)
                      for n, (name, mobile, items) in enumerate(sections)]
    out = posts(given_sections, title="销售提醒 2026-06-30", words=ZH, style=STYLES[via], limit=limit)
    assert all(len(p.text.encode("utf-8")) <= limit for p in out)
    carried = [(person, i["ref"]) for p in out for person, items, _ in p.parts for i in items]
    assert carried == [(s.person, i["ref"]) for s in given_sections for i in s.items]
