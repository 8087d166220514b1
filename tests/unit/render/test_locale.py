"""render.locale: counts that agree with their noun in English messages, none needed in Chinese."""

from __future__ import annotations

from salesctl.render.locale import Count, plural, reminder_texts


def test_plural_agrees_with_the_count():
    assert [plural(n, "error") for n in (0, 1, 2, 1200)] == ["0 errors", "1 error", "2 errors", "1,200 errors"]
    assert plural(1, "entry", "entries") == "1 entry" and plural(3, "entry", "entries") == "3 entries"


def test_a_count_names_its_noun_only_where_a_text_asks_for_it():
    english, chinese = reminder_texts("en_US"), reminder_texts("zh_CN")
    assert english["dormant"].format(customer="甲", days=Count(1), limit=30) == "甲: no contact for 1 day (limit 30)"
    assert english["header"].format(who="张伟", count=Count(1), as_of="2026-11-30") == "张伟: 1 reminder as of 2026-11-30"
    assert english["subject"].format(count=Count(2), as_of="2026-11-30") == "Sales reminders for 2026-11-30: 2 items"
    assert chinese["subject"].format(count=Count(1), as_of="2026-11-30") == "销售提醒 2026-11-30：1 项待办"
    assert f"{Count(7):>3}" == "  7"
