"""Every text salesctl shows in the workspace `locale` (zh_CN or en_US): column headings and report
titles (`headings`), the reminders and the group robots' messages (`reminder_texts`), amounts in
sentences (`amount_text`), counts in messages (`plural`, `Count`).

Machine formats (csv, json, yaml) always use the field names; only tables and text follow locale.
"""

from __future__ import annotations

from decimal import Decimal

from ..model.money import money_text

ZH_CN = {
    # enum values as a zh_CN table shows them, by column; JSON, YAML and CSV keep the stored words
    "values": {
        "status": {"lead": "线索", "prospect": "潜在客户", "customer": "成交客户", "lost": "流失",
                   "draft": "草稿", "in_review": "审批中", "approved": "已审批", "signed": "已签约",
                   "completed": "已完成", "terminated": "已终止", "open": "未到期", "partial": "部分回款",
                   "overdue": "逾期", "paid": "已结清", "written_off": "已核销"},
        "stage": {"manager": "经理", "legal": "法务", "finance": "财务"},
        "pending_stage": {"manager": "经理", "legal": "法务", "finance": "财务"},
        "decision": {"approved": "同意", "rejected": "驳回"},
        "channel": {"onsite": "上门", "phone": "电话", "video": "视频", "email": "邮件", "wechat": "微信", "other": "其他",
                    "letter": "催款函", "agency": "催收机构", "legal": "法律途径", "await": "等待承诺付款"},
        "kind": {"development": "开发", "negotiation": "商务洽谈", "after_sales": "售后", "complaint": "投诉"},
        "source": {"web": "网络", "phone": "电话", "exhibition": "展会", "referral": "转介绍", "association": "协会",
                   "other": "其他"},
        "pool_reason": {"follow_up": "未按期有效跟进", "deal": "未按期成交"},
        "role": {"rep": "销售", "lead": "组长", "manager": "经理", "legal": "法务", "finance": "财务", "admin": "管理员"},
        "bool": {True: "是", False: "否"},
    },
    "person_name": "姓名", "job_title": "职务",
    "draft_flagged": "【待核对：{where}】",
    "init_admin": "管理员", "init_rep": "张伟",  # the team `salesctl init` writes
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
    "overdue_balance": "逾期余额", "group": "小组", "review": "考核", "total": "总分", "grade": "等级", "scores": "得分",
    "to": "新负责人", "email": "邮箱", "ref": "关联", "message": "内容", "role": "角色", "manager": "上级",
    "total_row": "合计", "as_of": "截至", "overdue_title": "逾期应收台账", "kpi_title": "销售业绩指标",
    "review_title": "绩效考核", "promised": "承诺付款",
    "review_none": "没有期间在 {period} 之内的绩效考核。", "review_none_at_all": "工作区还没有绩效考核。",
    "phone": "电话", "primary": "主要联系人", "quantity": "数量", "unit": "单位", "unit_price": "单价",
    "stage": "环节", "by": "经办人", "decision": "结果", "method": "付款方式", "note": "说明", "reason": "原因",
    "action": "动作", "self": "自评", "visit": "拜访",
    "old": "原值", "new": "新值", "delta": "变动", "diff_receivables": "应收款余额与状态",
    "diff_overdue": "逾期余额（按账龄）", "diff_signed": "签约金额（按季度、销售）",
    "terms": "条款摘要", "stale_approvals": "审批后条款已变更，以下审批失效，须重新审批",
    "diff_stale": "因条款变更而失效的审批",
    "diff_attainment": "目标与完成率（按期间、销售）", "diff_grades": "考核总分与等级",
    "rank": "排名", "parts": "合并考核数",
    "activity_title": "销售活动量", "day": "日期", "week": "周", "month": "月份", "workdays": "工作日",
    "calls": "电话", "effective_calls": "有效电话", "customers": "沟通客户", "deals": "成交",
    "calls_per_day": "日均电话", "effective_per_day": "日均有效", "target_calls": "电话目标",
    "target_effective": "有效目标",
    "commission_title": "提成与绩效奖金", "base": "提成基数", "eligible": "达标", "tiers": "分段提成",
    "accelerator": "加速提成", "clawback": "坏账扣回", "commission": "提成", "bonus": "绩效奖金", "pay_total": "应发合计",
    "commission_method": "计算方法", "base_collected": "回款", "base_signed": "签约额",
    "method_marginal": "超额累进，各段按本段比例", "method_whole": "全额累进，按达到的最高段比例计全额",
    "detail_title": "明细",
    "import_problems": "导入问题",
    "assignments": "归属记录", "from": "原负责人", "mobile": "手机", "owner_on": "当前负责人", "in_pool": "在公海",
    "assigned": "分配日期", "pool_due": "回收日期", "pool_reason": "回收原因", "since": "进入公海", "days": "天数",
    "load_customers": "客户数", "active": "近30天活跃", "open_contracts": "在执行合同", "claims_today": "今日领取",
    "tiers.A": "A级", "tiers.B": "B级", "tiers.C": "C级", "tiers.none": "未分级", "due_customers": "待回收",
    "pool_title": "公海客户", "due_title": "即将退回公海", "load_title": "销售客户负荷", "sweep_title": "退回公海",
    "allocate_title": "公海分配", "until": "至", "dry_run": "（试运行，未写入）",
    "completed": "完成日期", "terminated": "终止",
    "fell_due": "到期应收", "visited_customers": "拜访客户", "prospects": "潜在客户",
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
    "dashboard_activity": "电话量", "dashboard_calls_per_week": "每周电话与有效电话（按销售）",
    "dashboard_no_calls": "本期间没有电话记录。",
    "dashboard_pool": "公海", "dashboard_due_to_pool": "将退回公海", "dashboard_until": "截至",
    "dashboard_due_by_owner": "将退回公海的客户（按负责人、原因）", "dashboard_pool_due": "退回日期",
    "dashboard_pool_reason": "原因", "dashboard_reason_follow_up": "未按期有效跟进",
    "dashboard_reason_deal": "未按期成交", "dashboard_no_pool_rules": "salesctl.yaml 还没有公海规则（pool）。",
    "dashboard_nothing_due": "没有将退回公海的客户。",
}

EN_US = {
    "person_name": "Name", "job_title": "Job title",
    "draft_flagged": "[to check: {where}]",
    "init_admin": "Administrator", "init_rep": "Zhang Wei",
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
    "group": "Group", "review": "Review", "period": "Period", "total": "Total", "grade": "Grade", "scores": "Scores",
    "total_row": "Total", "as_of": "as of", "overdue_title": "Overdue receivables", "kpi_title": "Sales KPIs",
    "review_title": "Performance reviews", "promised": "promised",
    "review_none": "No performance review has a period within {period}.",
    "review_none_at_all": "The workspace has no performance reviews yet.",
    "visit": "Visit", "contacts": "Contacts", "items": "Items", "approvals": "Approvals", "payments": "Payments",
    "collection": "Collection log",
    "old": "Before", "new": "After", "delta": "Change", "diff_receivables": "Receivable balances and statuses",
    "diff_overdue": "Overdue balance by aging bucket", "diff_signed": "Signed amount by quarter and rep",
    "stage": "Stage", "by": "By", "terms": "Terms",
    "stale_approvals": "Approvals given before the terms changed: to approve again",
    "diff_stale": "Approvals made stale by a change of terms",
    "diff_attainment": "Target and attainment by period and rep", "diff_grades": "Review totals and grades",
    "rank": "Rank", "parts": "Parts", "effective": "Effective",
    "activity_title": "Sales activity", "day": "Day", "week": "Week", "month": "Month", "workdays": "Workdays",
    "calls": "Calls", "effective_calls": "Effective calls", "customers": "Customers", "deals": "Deals",
    "calls_per_day": "Calls/day", "effective_per_day": "Effective/day", "target_calls": "Call target",
    "target_effective": "Effective target",
    "commission_title": "Commission and bonus", "base": "Base", "eligible": "Eligible", "tiers": "Tiers",
    "accelerator": "Accelerator", "clawback": "Clawback", "commission": "Commission", "bonus": "Bonus",
    "pay_total": "Total pay", "commission_method": "method", "base_collected": "collected", "base_signed": "signed amount",
    "method_marginal": "marginal, each band at its rate", "method_whole": "whole, the band reached on the whole base",
    "detail_title": "Detail",
    "import_problems": "Import problems",
    "assignments": "Ownership history", "from": "From", "to": "To", "reason": "Reason",
    "owner_on": "Owner on date", "in_pool": "In pool", "assigned": "Assigned", "pool_due": "Pool due",
    "pool_reason": "Pool reason", "since": "In pool since", "days": "Days", "load_customers": "Customers",
    "active": "Active (30 days)", "open_contracts": "Open contracts", "claims_today": "Claims today",
    "tiers.A": "A", "tiers.B": "B", "tiers.C": "C", "tiers.none": "No tier", "due_customers": "Due to pool",
    "pool_title": "Customers in the public pool", "due_title": "Due to the public pool",
    "load_title": "Customer load per rep", "sweep_title": "Released to the public pool",
    "allocate_title": "Allocated from the public pool", "until": "until",
    "dry_run": "(dry run: nothing written)",
    "completed": "Completed", "terminated": "Terminated",
    "fell_due": "Fell due", "visited_customers": "Visited customers", "prospects": "Prospects",
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
    "dashboard_activity": "Activity", "dashboard_calls_per_week": "Calls and effective calls per rep and week",
    "dashboard_no_calls": "No calls in this period.",
    "dashboard_pool": "Public pool", "dashboard_due_to_pool": "Due to the pool", "dashboard_until": "by",
    "dashboard_due_by_owner": "Customers due to the pool, by owner and reason", "dashboard_pool_due": "Due",
    "dashboard_pool_reason": "Reason", "dashboard_reason_follow_up": "no effective visit in time",
    "dashboard_reason_deal": "no deal in time", "dashboard_no_pool_rules": "No pool rules in salesctl.yaml yet.",
    "dashboard_nothing_due": "No customer is due to the pool.",
}

LABELS = {"zh_CN": ZH_CN, "en_US": EN_US}


def headings(locale: str) -> dict:
    """Heading for each field name in `locale`; a field without one keeps its name."""
    return LABELS.get(locale, EN_US)


REMINDERS = {
    "zh_CN": {
        "kinds": {"follow-up": "跟进拜访", "due-soon": "即将到期", "collect": "逾期催收", "dormant": "久未联系",
                  "approval": "合同审批", "pool-warning": "公海预警"},
        "follow-up": "跟进{customer}：{action}（{visit_date} 拜访时约定）",
        "due-soon": "{customer} 应收款 {balance} 将于 {due} 到期",
        "collect": "{customer} 逾期 {days} 天，余额 {balance}：{step}",
        "dormant": "{customer} 已 {days} 天未联系（上限 {limit} 天）",
        "approval": "合同“{title}”（{customer}）待{stage}审批，已等待 {days} 天",
        "approval-again": "合同“{title}”（{customer}）审批后条款已变更，待{stage}重新审批，已等待 {days} 天",
        "pool-warning": "{customer} 将于 {due} 退回公海：{reason}",
        "pool-warning-past": "{customer} 已于 {due} 达到回收条件，下次回收时退回公海：{reason}",
        "pool_reasons": {"follow_up": "{days} 天内无有效拜访", "deal": "分配后 {days} 天内未成交"},
        "steps": {"phone": "电话催收", "wechat": "微信催收", "email": "邮件催收", "onsite": "上门催收", "letter": "发催款函",
                  "agency": "委托催收机构", "legal": "法律途径", "await": "核实 {date} 的承诺付款"},
        "stages": {"manager": "经理", "legal": "法务", "finance": "财务", "rep": "销售", "lead": "组长",
                   "admin": "管理员"},
        "header": "{who}：{count} 项待办（截至 {as_of}）",
        "subject": "销售提醒 {as_of}：{count} 项待办",
        "footer": "此邮件由 salesctl 根据 {company} 销售工作区自动生成。",
        "keyword": "销售提醒",
        "section": "{who}：{count} 项待办",
        "continued": "{who}（续）",
        "mention": "{keyword} {as_of}：请查看上面的待办。",
        "test": "{keyword}：salesctl 测试消息，{company} 的销售提醒将发到这里。",
    },
    "en_US": {
        "kinds": {"follow-up": "follow-up", "due-soon": "due soon", "collect": "collect", "dormant": "dormant",
                  "approval": "approval", "pool-warning": "pool warning"},
        "follow-up": "Follow up {customer}: {action} (agreed at the visit of {visit_date})",
        "due-soon": "{customer}: {balance} due on {due}",
        "collect": "{customer}: {days:day} overdue, balance {balance}: {step}",
        "dormant": "{customer}: no contact for {days:day} (limit {limit})",
        "approval": "Contract \"{title}\" ({customer}) has waited {days:day} for {stage} approval",
        "approval-again": "Contract \"{title}\" ({customer}) changed after approval: it has waited {days:day} "
                          "for {stage} to approve it again",
        "pool-warning": "{customer} goes back to the public pool on {due}: {reason}",
        "pool-warning-past": "{customer} was due back to the public pool on {due} and goes at the next sweep: {reason}",
        "pool_reasons": {"follow_up": "no effective visit for {days} days", "deal": "no deal within {days} days"},
        "steps": {"phone": "phone call", "wechat": "WeChat message", "email": "e-mail", "onsite": "on-site visit", "letter": "demand letter",
                  "agency": "collection agency", "legal": "legal action", "await": "check the payment promised for {date}"},
        "stages": {"manager": "manager", "legal": "legal", "finance": "finance", "rep": "rep", "lead": "lead",
                   "admin": "admin"},
        "header": "{who}: {count:reminder} as of {as_of}",
        "subject": "Sales reminders for {as_of}: {count:item}",
        "footer": "Sent by salesctl from the sales workspace of {company}.",
        "keyword": "Sales reminders",
        "section": "{who} ({count})",
        "continued": "{who} (continued)",
        "mention": "{keyword} {as_of}: see your items above.",
        "test": "{keyword}: a salesctl test message; the sales reminders of {company} will be posted here.",
    },
}


def reminder_texts(locale: str) -> dict:
    """The sentences of the reminders in `locale`, to fill with `str.format`."""
    return REMINDERS.get(locale, REMINDERS["en_US"])


def amount_text(value: Decimal, currency: str, locale: str) -> str:
    """An amount in a sentence: `12,000.00 元` (zh_CN, CNY), `12,000.00 USD` (zh_CN), `CNY 12,000.00`."""
    figure = money_text(value)
    if locale == "zh_CN":
        return f"{figure} 元" if currency == "CNY" else f"{figure} {currency}"
    return f"{currency} {figure}"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """A count and its noun in an English message: `1 error`, `2 errors`, `1,200 files`; `nouns` for a
    plural that is not noun + s."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


class Count(int):
    """A count that agrees with its noun where a text names one: `{days:day}` reads `1 day` or
    `3 days`; `{days}` (the Chinese texts, which need no plural) reads `3`."""

    def __format__(self, spec):
        return plural(int(self), spec) if spec.isalpha() else format(int(self), spec)
