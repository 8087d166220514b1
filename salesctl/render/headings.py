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
    "to": "收件人", "email": "邮箱", "ref": "关联", "message": "内容", "role": "角色", "manager": "上级",
    "total_row": "合计", "as_of": "截至", "overdue_title": "逾期应收台账", "kpi_title": "销售业绩指标",
    "review_title": "绩效考核", "promised": "承诺付款",
    "phone": "电话", "primary": "主要联系人", "quantity": "数量", "unit": "单位", "unit_price": "单价",
    "stage": "环节", "by": "经办人", "decision": "结果", "method": "付款方式", "note": "说明", "reason": "原因",
    "action": "动作", "self": "自评", "visit": "拜访",
    "old": "原值", "new": "新值", "delta": "变动", "diff_receivables": "应收款余额与状态",
    "diff_overdue": "逾期余额（按账龄）", "diff_signed": "签约金额（按季度、销售）",
    "terms": "条款摘要", "stale_approvals": "审批后条款已变更，以下审批失效，须重新审批",
    "diff_stale": "因条款变更而失效的审批",
    "month": "月份", "fell_due": "到期应收", "visited_customers": "拜访客户", "prospects": "潜在客户",
    "dashboard_title": "销售看板", "dashboard_as_of": "数据截至", "dashboard_data_table": "数据表",
    "dashboard_collection": "回款", "dashboard_sales": "销售", "dashboard_reviews": "绩效考核",
    "dashboard_overdue_by_owner": "逾期余额（按负责人、账龄）",
    "dashboard_collected_per_month": "近12个月回款与到期应收",
    "dashboard_largest_overdue": "逾期余额最大的10笔应收款",
    "dashboard_signed_against_target": "签约金额与目标（按销售）", "dashboard_signed_per_month": "每月签约金额",
    "dashboard_funnel": "客户转化漏斗", "dashboard_grades": "考核等级分布", "dashboard_customers": "客户数",
    "dashboard_reviews_count": "考核数", "dashboard_no_owner": "（无负责人）",
    "dashboard_no_receivables": "工作区还没有应收款。", "dashboard_nothing_overdue": "没有逾期应收款。",
    "dashboard_no_sales": "工作区还没有合同、拜访或签约目标。",
    "dashboard_nothing_signed": "本期间没有签约，也没有签约目标。",
    "dashboard_no_reviews": "本期间没有绩效考核。", "dashboard_made_with": "生成命令",
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
    "stage": "Stage", "by": "By", "terms": "Terms",
    "stale_approvals": "Approvals given before the terms changed: to approve again",
    "diff_stale": "Approvals made stale by a change of terms",
    "month": "Month", "fell_due": "Fell due", "visited_customers": "Visited customers", "prospects": "Prospects",
    "dashboard_title": "Sales dashboard", "dashboard_as_of": "as of", "dashboard_data_table": "Data table",
    "dashboard_collection": "Collection", "dashboard_sales": "Sales", "dashboard_reviews": "Reviews",
    "dashboard_overdue_by_owner": "Overdue balance by owner and aging",
    "dashboard_collected_per_month": "Collected against what fell due, last 12 months",
    "dashboard_largest_overdue": "The ten largest overdue receivables",
    "dashboard_signed_against_target": "Signed amount against target, per rep",
    "dashboard_signed_per_month": "Signed amount per month", "dashboard_funnel": "Funnel",
    "dashboard_grades": "Grades", "dashboard_customers": "Customers", "dashboard_reviews_count": "Reviews",
    "dashboard_no_owner": "(no owner)", "dashboard_no_receivables": "No receivables in the workspace yet.",
    "dashboard_nothing_overdue": "Nothing is overdue.",
    "dashboard_no_sales": "No contracts, visits or targets in the workspace yet.",
    "dashboard_nothing_signed": "Nothing signed and no targets in this period.",
    "dashboard_no_reviews": "No reviews for this period.", "dashboard_made_with": "Made with",
}

LABELS = {"zh_CN": ZH_CN, "en_US": EN_US}


def headings(locale: str) -> dict:
    """Heading for each field name in `locale`; a field without one keeps its name."""
    return LABELS.get(locale, EN_US)
