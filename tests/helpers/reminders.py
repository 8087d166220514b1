"""What is due as of 2026-06-30 in tests/fixtures/reports (the `reports_root` fixture), worked out by
hand: {person: [(kind, record, customer, date)]}."""

from __future__ import annotations

from datetime import date

DUE = {
    "lin": [("approval", "CT-2026-04", "CUS-E", date(2026, 6, 20)),    # zhou has no manager: every manager
            ("approval", "CT-2026-05", "CUS-C", date(2026, 6, 27))],   # wang's manager; 3 days is stale
    "qian": [("approval", "CT-2026-04", "CUS-E", date(2026, 6, 20))],
    "zhang": [("follow-up", "V-06", "CUS-F", date(2026, 6, 25)),
              ("due-soon", "RCV-13", "CUS-B", date(2026, 7, 7)),        # due in exactly 7 days
              ("collect", "RCV-03", "CUS-A", date(2026, 5, 30)),
              ("collect", "RCV-01", "CUS-A", date(2026, 6, 29)),
              ("collect", "RCV-02", "CUS-A", date(2026, 6, 30)),
              ("dormant", "CUS-B", "CUS-B", date(2026, 4, 12)),         # key account: 79 days > 14
              ("dormant", "CUS-A", "CUS-A", date(2026, 5, 10))],        # tier A: 51 days > 30
    "wang": [("due-soon", "RCV-08", "CUS-C", date(2026, 6, 30)),        # due today
             ("collect", "RCV-06", "CUS-C", date(2026, 6, 30)),
             ("collect", "RCV-07", "CUS-C", date(2026, 6, 30))],
    "zhou": [("follow-up", "V-10", "CUS-E", date(2026, 6, 1))],
    "zhao": [("approval", "CT-2026-06", "CUS-F", date(2026, 6, 25))],   # pending finance: role finance
}
# Not due: V-09 and V-02 (a later visit followed), V-08 (next date ahead), RCV-15 (due in 8 days),
# RCV-04 (next step 07-30), RCV-05 (promise of 07-05 awaited), CUS-D (121 days = its own limit),
# CUS-G (lost), CUS-E (no limit), CT-2026-07 (waits 2 days), chen (nothing due).
