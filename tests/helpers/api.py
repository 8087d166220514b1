"""The workspace the tests of salesctl.api call it on: one customer, a contract signed for 120,000,
a receivable of 36,000 with 6,000 paid and one of 84,000."""

FILES = {
    "customers/CUS-0001.yaml": "{id: CUS-0001, name: 华东精密机械, owner: zhang, created: 2026-01-05}\n",
    "contracts/CT-0001.yaml": """\
        id: CT-0001
        customer: CUS-0001
        owner: zhang
        title: 精益生产内训
        status: signed
        created: 2026-07-01
        signed: 2026-07-15
        items: [{name: 内训, quantity: 4, unit_price: 30000}]
        amount: 120000
        approvals:
          - {stage: manager, by: lin, date: 2026-07-02, decision: approved}
          - {stage: legal, by: chen, date: 2026-07-03, decision: approved}
          - {stage: finance, by: zhao, date: 2026-07-04, decision: approved}
        """,
    "receivables/RCV-0001.yaml": """\
        id: RCV-0001
        contract: CT-0001
        amount: 36000
        due: 2026-08-01
        payments:
          - {date: 2026-08-10, amount: 6000}
        """,
    "receivables/RCV-0002.yaml": """\
        id: RCV-0002
        contract: CT-0001
        amount: 84000
        due: 2026-12-31
        """,
}
