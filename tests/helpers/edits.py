"""Files of records written by hand (comments, flow and block styles, a literal block), for the
tests of edits at a dotted path and of `set`."""

from __future__ import annotations

VISITS = """\
# 11月拜访

- id: V-1
  customer: CUS-1
  rep: zhang
  date: 2026-11-03
  channel: onsite
  summary: 介绍课程   # 初次拜访
  next:
    date: 2026-11-20
    action: 报价

- id: V-2
  customer: CUS-1
  rep: zhang
  date: 2026-11-12
  channel: phone
  next: {date: 2026-11-26, action: 回访}
"""
CUSTOMER = """\
id: CUS-1
name: 甲公司
owner: zhang
created: 2026-01-05
contacts:
  - name: 王经理
    phone: "0571-8888 1234"
  - {name: 李工, title: 工程师}
tags: [老客户, 制造业]
notes: |
  第一行
  第二行
"""
