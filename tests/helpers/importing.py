"""A small company for the import tests (the `sales` fixture): two customers, a signed contract, two
receivables."""

FILES = {
    "customers/CUS-0001.yaml": """\
        id: CUS-0001
        name: 上海华东精密机械股份有限公司
        owner: zhang
        status: customer
        tier: A
        created: 2024-03-12
        contacts:
          - name: 周建国
            phone: "139 1762 5580"
            primary: true
        tags: [制造业, 老客户]
        """,
    "customers/CUS-0002.yaml": """\
        id: CUS-0002
        name: 苏州恒瑞医药科技有限公司
        owner: wang
        created: 2025-06-20
        """,
    "contracts/CT-2026-001.yaml": """\
        id: CT-2026-001
        customer: CUS-0001
        owner: zhang
        title: 精益生产内训
        status: signed
        created: 2026-01-05
        signed: 2026-01-20
        items:
          - {name: 精益生产内训, quantity: 4, unit: 期, unit_price: 25000}
        amount: 100000
        approvals:
          - {stage: manager, by: lin, date: 2026-01-06, decision: approved}
          - {stage: legal, by: chen, date: 2026-01-07, decision: approved}
          - {stage: finance, by: zhao, date: 2026-01-08, decision: approved}
        """,
    "receivables/RCV-0001.yaml": """\
        id: RCV-0001
        contract: CT-2026-001
        amount: 40000
        due: 2026-03-01
        invoice: "25312000000004471"
        payments:
          - {date: 2026-02-28, amount: 10000, method: 银行转账, ref: 招行回单 001}
        """,
    "receivables/RCV-0002.yaml": """\
        id: RCV-0002
        contract: CT-2026-001
        amount: 60000
        due: 2026-09-30
        """,
}
