"""Column headings and report titles in the workspace `locale` (zh_CN or en_US).

Machine formats (csv, json, yaml) always use the field names; only tables and text follow locale.
"""

from __future__ import annotations

ZH_CN = {
    "id": "编号", "name": "名称", "owner": "负责人", "status": "状态", "tier": "等级", "key": "重点客户",
    "follow_up_days": "跟进周期(天)", "industry": "行业", "size": "规模", "region": "地区", "source": "来源",
    "created": "创建日期", "contacts": "联系人", "tags": "标签", "notes": "备注",
    "customer": "客户", "customer_name": "客户名称", "rep": "销售", "date": "日期", "channel": "方式",
    "kind": "类型", "effective": "有效", "summary": "摘要", "feedback": "反馈", "satisfaction": "满意度",
    "next": "下一步", "contract": "合同", "title": "标题", "signed": "签订日期", "start": "开始", "end": "结束",
    "currency": "币种", "items": "服务项目", "amount": "金额", "payment_terms": "付款条款", "template": "模板",
    "approvals": "审批", "receivable": "应收款", "due": "到期日", "invoice": "发票", "payments": "收款",
    "collection": "催收记录", "written_off": "核销", "period": "期间", "reviewer": "考核人", "comment": "评语",
    "paid": "已收", "balance": "余额", "days_overdue": "逾期天数", "bucket": "账龄", "next_step": "下一步催收",
    "last_action": "最近催收", "pending_stage": "待审批环节", "waiting_since": "等待起始", "waiting_days": "等待天数",
    "counted": "计入业绩", "last_contact": "最近联系", "days_since_contact": "未联系天数",
    "count": "笔数", "signed_amount": "签约金额", "contracts": "合同数", "target": "目标", "attainment": "完成率",
    "collected": "回款", "new_customers": "新客户", "visits": "拜访", "effective_visits": "有效拜访",
    "conversion_rate": "转化率", "avg_cycle_days": "平均成交周期(天)", "repeat_rate": "复购率",
    "overdue_balance": "逾期余额", "group": "小组", "review": "考核", "total": "总分", "grade": "等级",
    "to": "新负责人", "email": "邮箱", "ref": "关联", "message": "内容", "role": "角色", "manager": "上级",
    "total_row": "合计", "as_of": "截至", "overdue_title": "逾期应收台账", "kpi_title": "销售业绩指标",
    "review_title": "绩效考核", "promised": "承诺付款",
    "phone": "电话", "primary": "主要联系人", "quantity": "数量", "unit": "单位", "unit_price": "单价",
    "stage": "环节", "by": "经办人", "decision": "结果", "method": "付款方式", "note": "说明", "reason": "原因",
    "action": "动作", "self": "自评", "visit": "拜访",
    "old": "原值", "new": "新值", "delta": "变动", "diff_receivables": "应收款余额与状态",
    "diff_overdue": "逾期余额（按账龄）", "diff_signed": "签约金额（按季度、销售）",
    "assignments": "归属记录", "from": "原负责人", "mobile": "手机", "owner_on": "当前负责人", "in_pool": "在公海",
    "assigned": "分配日期", "pool_due": "回收日期", "pool_reason": "回收原因", "since": "进入公海", "days": "天数",
    "customers": "客户数", "active": "近30天活跃", "open_contracts": "在执行合同", "claims_today": "今日领取",
    "tiers.A": "A级", "tiers.B": "B级", "tiers.C": "C级", "tiers.none": "未分级", "due_customers": "待回收",
    "pool_title": "公海客户", "due_title": "即将退回公海", "load_title": "销售客户负荷", "sweep_title": "退回公海",
    "allocate_title": "公海分配", "until": "至", "dry_run": "（试运行，未写入）",
}

EN_US = {
    "id": "ID", "name": "Name", "owner": "Owner", "status": "Status", "tier": "Tier", "key": "Key account",
    "follow_up_days": "Follow-up days", "created": "Created", "customer": "Customer",
    "customer_name": "Customer name", "rep": "Rep", "date": "Date", "channel": "Channel", "contract": "Contract",
    "title": "Title", "signed": "Signed", "amount": "Amount", "receivable": "Receivable", "due": "Due",
    "paid": "Paid", "balance": "Balance", "days_overdue": "Days overdue", "bucket": "Aging",
    "next_step": "Next step", "last_action": "Last action", "pending_stage": "Pending stage",
    "waiting_days": "Waiting days", "last_contact": "Last contact", "days_since_contact": "Days since contact",
    "count": "Count", "signed_amount": "Signed", "contracts": "Contracts", "target": "Target",
    "attainment": "Attainment", "collected": "Collected", "new_customers": "New customers", "visits": "Visits",
    "effective_visits": "Effective visits", "conversion_rate": "Conversion", "avg_cycle_days": "Avg cycle (days)",
    "satisfaction": "Satisfaction", "repeat_rate": "Repeat rate", "overdue_balance": "Overdue balance",
    "group": "Group", "review": "Review", "period": "Period", "total": "Total", "grade": "Grade",
    "total_row": "Total", "as_of": "as of", "overdue_title": "Overdue receivables", "kpi_title": "Sales KPIs",
    "review_title": "Performance reviews", "promised": "promised",
    "visit": "Visit", "contacts": "Contacts", "items": "Items", "approvals": "Approvals", "payments": "Payments",
    "collection": "Collection log",
    "old": "Before", "new": "After", "delta": "Change", "diff_receivables": "Receivable balances and statuses",
    "diff_overdue": "Overdue balance by aging bucket", "diff_signed": "Signed amount by quarter and rep",
}

LABELS = {"zh_CN": ZH_CN, "en_US": EN_US}


def headings(locale: str) -> dict:
    """Heading for each field name in `locale`; a field without one keeps its name."""
    return LABELS.get(locale, EN_US)
