"""A small workspace shared by the query, sql/export and show tests: every field type, list and derived value
(the `query_root` and `query_ws` fixtures), and one whose notes a backtracking pattern engine chokes on.

Figures as of 2026-11-30 (hand-computed):
- CUS-0001 last contact 2026-11-20 (10 days, key account: follow-up 14); CUS-0002 2026-09-15 (76, tier B: 60);
  CUS-0003 none, created 2026-10-01 (60, own follow-up 10).
- CON-0001 signed 100,000.00: paid 60,000.00, balance 40,000.00, all stages approved, counted.
  CON-0002 in review 30,000.50: pending legal since 2026-11-03 (27 days).
- RCV-0001 paid. RCV-0002 60,000.00 due 2026-09-30, 20,000.00 paid: overdue 61 days, bucket 61-90,
  next step onsite 2026-10-30 (phone logged 2026-10-01). RCV-0003 30,000.50 due 2026-12-15: open.
"""

AS_OF = "2026-11-30"

FILES = {
    "customers/CUS-0001.yaml": """\
        id: CUS-0001
        name: 华东精密机械有限公司
        owner: zhang
        status: customer
        tier: A
        key: true
        region: 上海
        created: 2026-01-05
        contacts:
          - {name: 王强, title: 采购经理, phone: "13800000001", email: wq@hd.example, primary: true}
          - {name: 李娜, title: 财务}
        tags: [vip, manufacturing]
        """,
    "customers/CUS-0002.yaml": """\
        id: CUS-0002
        name: 北方物流集团
        owner: wang
        status: prospect
        tier: B
        region: 北京
        created: 2026-03-01
        contacts:
          - {name: Zhao Lei, email: zl@bf.example}
        tags: [logistics]
        """,
    "customers/CUS-0003.yaml": """\
        id: CUS-0003
        name: Lotus Trading
        owner: zhang
        status: lead
        follow_up_days: 10
        created: 2026-10-01
        """,
    "visits/2026.yaml": """\
        - {id: VIS-0001, customer: CUS-0001, rep: zhang, date: 2026-11-20, channel: onsite, kind: negotiation,
           satisfaction: 5, next: {date: 2026-12-05, action: 报价}}
        - {id: VIS-0002, customer: CUS-0002, rep: wang, date: 2026-09-15, channel: phone, effective: false,
           satisfaction: 3}
        - {id: VIS-0003, customer: CUS-0001, rep: zhang, date: 2026-06-01, channel: wechat, satisfaction: 4}
        """,
    "contracts/CON-0001.yaml": """\
        id: CON-0001
        customer: CUS-0001
        owner: zhang
        title: 年度培训服务
        status: signed
        created: 2026-02-01
        signed: 2026-02-20
        items:
          - {name: 管理培训, quantity: 2, unit: 场, unit_price: 50000}
        amount: 100000
        approvals:
          - {stage: manager, by: lin, date: 2026-02-10, decision: approved}
          - {stage: legal, by: chen, date: 2026-02-11, decision: approved}
          - {stage: finance, by: zhao, date: 2026-02-12, decision: approved}
        """,
    "contracts/CON-0002.yaml": """\
        id: CON-0002
        customer: CUS-0002
        owner: wang
        title: 物流团队培训
        status: in_review
        created: 2026-11-01
        items:
          - {name: 安全培训, quantity: 1, unit_price: 30000.50}
        amount: 30000.50
        approvals:
          - {stage: manager, by: lin, date: 2026-11-03, decision: approved, comment: 同意}
        """,
    "receivables/RCV-0001.yaml": """\
        id: RCV-0001
        contract: CON-0001
        amount: 40000
        due: 2026-03-20
        payments:
          - {date: 2026-03-18, amount: 40000, method: 转账}
        """,
    "receivables/RCV-0002.yaml": """\
        id: RCV-0002
        contract: CON-0001
        amount: 60000
        due: 2026-09-30
        invoice: INV-88
        payments:
          - {date: 2026-10-10, amount: 20000, method: 转账, ref: B-1}
        collection:
          - {date: 2026-10-01, by: zhang, channel: phone, note: 已催}
        """,
    "receivables/RCV-0003.yaml": """\
        id: RCV-0003
        contract: CON-0002
        amount: 30000.50
        due: 2026-12-15
        """,
    "reviews/REV-0001.yaml": """\
        id: REV-0001
        rep: zhang
        period: 2026-Q3
        reviewer: lin
        self: {teamwork: 80, attitude: 90}
        manager: {teamwork: 70}
        """,
}

# Notes that a backtracking engine takes minutes over with (a+)+$ (30 a's and a '!': it tries every
# split of the a's between the two +), and a YAML block that ends with a newline.
BACKTRACKING = {
    "customers/CUS-0001.yaml": "{id: CUS-0001, name: 甲, owner: zhang, created: 2026-01-05, notes: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!}\n",
    "customers/CUS-0002.yaml": "{id: CUS-0002, name: 乙, owner: zhang, created: 2026-01-05, notes: aaa}\n",
    "customers/CUS-0003.yaml": "id: CUS-0003\nname: 丙\nowner: zhang\ncreated: 2026-01-05\nnotes: |\n  first line\n  paid in full\n",
}
NESTED = "(" * 5000 + "a" + ")" * 5000
