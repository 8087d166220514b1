#!/usr/bin/env python3
"""Generate a large, valid, realistic salesctl workspace for the speed benchmarks (bench/README.md).

Scale 1 is a 20-rep company over about five years: 500 customers, 10,000 visits, 1,000 contracts,
3,000 receivables and 200 reviews. Counts grow linearly with `--scale`.

The data has to look like a real company's, because the speed of `validate`, `query` and
`report` depends on what is in the files: contracts in every status with their approval chains,
receivables that sum exactly to their contracts, payments on time, late, partial or never,
collection logs with promises, write-offs. And it has to be valid — zero errors, zero warnings —
or the benchmark would measure error reporting instead of the normal path.

Output is written with plain string formatting, not a YAML library: at scale 10 that is the
difference between seconds and minutes. The generator is seeded, so a scale and seed always give
the same bytes.

Example:
    python bench/gen.py --scale 1 --layout grouped -o /tmp/acme-bench
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import random
import re
import shutil
import sys
import time
from datetime import date, timedelta

START = date(2021, 12, 1)  # the first day anything happened
END = date(2026, 11, 27)  # the last day anything happened; reports run as of 2026-11-30
BASE = {"reps": 20, "customers": 500, "visits": 10_000, "contracts": 1_000, "receivables": 3_000, "reviews": 200}
CHAIN = ("manager", "legal", "finance")
ESCALATION = ((1, "phone"), (7, "email"), (30, "onsite"), (90, "agency"))
LAYOUTS = ("single", "grouped")

# --- vocabulary --------------------------------------------------------------------------------

SURNAMES = [("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
            ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
            ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"),
            ("高", "gao"), ("罗", "luo"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
            ("唐", "tang"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"), ("彭", "peng")]
GIVEN = [("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
         ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
         ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("霞", "xia"),
         ("平", "ping"), ("刚", "gang"), ("华", "hua"), ("建", "jian"), ("文", "wen"), ("海", "hai"),
         ("峰", "feng"), ("晨", "chen"), ("宇", "yu"), ("欣", "xin"), ("婷", "ting"), ("浩", "hao"),
         ("凯", "kai"), ("琳", "lin"), ("博", "bo"), ("雪", "xue"), ("鹏", "peng"), ("慧", "hui")]
CITIES = [("上海", "华东", "021"), ("苏州", "华东", "0512"), ("杭州", "华东", "0571"), ("南京", "华东", "025"),
          ("宁波", "华东", "0574"), ("无锡", "华东", "0510"), ("合肥", "华东", "0551"), ("北京", "华北", "010"),
          ("天津", "华北", "022"), ("济南", "华北", "0531"), ("青岛", "华北", "0532"), ("广州", "华南", "020"),
          ("深圳", "华南", "0755"), ("东莞", "华南", "0769"), ("佛山", "华南", "0757"), ("厦门", "华南", "0592"),
          ("成都", "西南", "028"), ("重庆", "西南", "023"), ("武汉", "华中", "027"), ("长沙", "华中", "0731"),
          ("郑州", "华中", "0371"), ("西安", "西北", "029"), ("沈阳", "东北", "024"), ("大连", "东北", "0411")]
BRANDS = [("恒瑞", "hengrui"), ("华信", "huaxin"), ("远航", "yuanhang"), ("金桥", "jinqiao"), ("瑞丰", "ruifeng"),
          ("东方", "dongfang"), ("天成", "tiancheng"), ("宏达", "hongda"), ("新锐", "xinrui"), ("嘉禾", "jiahe"),
          ("永泰", "yongtai"), ("博远", "boyuan"), ("中科", "zhongke"), ("汇通", "huitong"), ("鼎盛", "dingsheng"),
          ("明德", "mingde"), ("启航", "qihang"), ("正泰", "zhengtai"), ("安达", "anda"), ("立信", "lixin"),
          ("光华", "guanghua"), ("同创", "tongchuang"), ("万象", "wanxiang"), ("卓越", "zhuoyue"), ("云帆", "yunfan"),
          ("盛世", "shengshi"), ("海纳", "haina"), ("精工", "jinggong"), ("康宁", "kangning"), ("锦程", "jincheng"),
          ("星辰", "xingchen"), ("荣升", "rongsheng"), ("百川", "baichuan"), ("联创", "lianchuang"), ("协力", "xieli"),
          ("德润", "derun"), ("凯瑞", "kairui"), ("信达", "xinda"), ("华科", "huake"), ("银河", "yinhe")]
TRADES = [("精密机械", "制造业"), ("电子科技", "电子"), ("生物医药", "医药"), ("供应链管理", "物流"),
          ("软件技术", "信息技术"), ("食品", "食品"), ("汽车零部件", "汽车"), ("新能源科技", "能源"),
          ("建设工程", "建筑"), ("商贸", "零售"), ("投资管理", "金融"), ("化工", "化工"), ("纺织", "纺织"),
          ("家居", "家居"), ("教育科技", "教育"), ("物业服务", "房地产"), ("智能装备", "制造业"), ("医疗器械", "医药")]
SIZES = ["50人以下", "50-200人", "200-500人", "500-1000人", "1000人以上"]
SOURCES = (["referral"] * 30 + ["exhibition"] * 20 + ["web"] * 20 + ["phone"] * 15 + ["association"] * 10
           + ["other"] * 5)
TITLES = ["人力资源总监", "培训经理", "总经理", "采购经理", "HRBP", "行政主管", "副总裁", "人事专员"]
TAGS = ["老客户", "重点行业", "渠道推荐", "政府补贴项目", "集团客户", "需高层拜访"]
CUSTOMER_NOTES = ["对方决策周期较长，需提前规划年度预算", "集团统一采购，需走招标流程", "老板重视员工培养",
                  "上一任对接人已离职，新联系人需重新建立关系", "对价格较敏感"]
CATALOGUE = [  # (item, unit, lowest and highest unit price in yuan, quantity range)
    ("销售技巧提升培训（2天）", "场", 28000, 48000, (1, 4)),
    ("中层管理者领导力训练营", "人", 3800, 6800, (10, 60)),
    ("高管教练辅导", "小时", 2500, 5000, (10, 40)),
    ("企业内训师培养项目", "期", 60000, 120000, (1, 2)),
    ("在线学习平台年度账号", "个", 300, 800, (20, 300)),
    ("团队建设拓展活动", "场", 15000, 40000, (1, 3)),
    ("人才测评服务", "人", 200, 600, (20, 200)),
    ("年度咨询顾问服务", "年", 120000, 360000, (1, 1)),
    ("课程定制开发", "门", 20000, 60000, (1, 4)),
    ("培训需求调研与方案设计", "项", 10000, 30000, (1, 1)),
]
VISIT_TEXT = {
    "development": ["初次拜访，了解年度培训需求", "介绍公司课程体系和讲师团队", "电话沟通明年培训计划",
                    "参加客户人力资源部例会，介绍领导力项目", "微信发送课程资料，约定面谈时间"],
    "negotiation": ["商谈报价及课程安排", "确认合同条款和交付时间", "讨论付款方式与分期比例",
                    "与采购部核对报价单", "讲师试讲，客户基本认可"],
    "after_sales": ["培训效果回访，收集学员反馈", "沟通下一期培训安排", "提交培训总结报告",
                    "回访平台使用情况，续费意向良好", "协助客户做训后行动计划"],
    "complaint": ["客户反映讲师临时更换，需解释并补偿", "处理培训场地安排的投诉", "学员反映课程内容偏理论"],
}
FEEDBACK = ["客户希望增加案例教学", "预算需下季度才能批复", "对讲师评价很高", "希望价格再优惠5%",
            "决策人出差，下周再议", "计划扩大培训范围到全体中层"]
NEXT_ACTIONS = ["发送课程方案", "提交报价单", "安排讲师试讲", "寄送合同", "确认培训日期", "回访满意度",
                "约见人力资源总监", "准备投标文件"]
COLLECTION_NOTES = ["客户表示月底前付款", "财务审批流程中", "已发送催款函", "对方负责人出差，约下周面谈",
                    "客户资金紧张，申请延期", "承诺分两次付清", "已上门沟通，对方确认欠款金额"]
WRITE_OFF_REASONS = ["客户经营困难，经管理层批准核销", "客户已注销，无法追偿", "诉讼费用高于欠款，决定核销"]
METHODS = ["银行转账"] * 8 + ["承兑汇票", "支票"]
REVIEW_COMMENTS = ["业绩稳定，客户关系维护到位", "新客户开发不足，需加强", "团队协作积极", "回款管理需改进",
                   "超额完成目标，表现突出"]
GROUP_NAMES = ["east", "north", "south", "west", "central", "northeast", "northwest", "southwest"]


# --- YAML text ---------------------------------------------------------------------------------

class Raw(str):
    """A YAML token written as is (money already formatted as a number)."""


_PLAIN = re.compile(r"^[A-Za-z\u4e00-\u9fff][^:#,\[\]{}\"'\n&*!|>%`]*$")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def scalar(value) -> str:
    """One value as YAML; text is plain when that is unambiguous, else double-quoted (JSON style)."""
    if isinstance(value, Raw):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, (int, date)):
        return str(value)
    if _PLAIN.match(value) and not value.endswith(" ") and value.lower() not in _RESERVED:
        return value
    return json.dumps(value, ensure_ascii=False)


def _is_scalar(value) -> bool:
    return not isinstance(value, (dict, list))


def mapping_lines(record: dict, indent: int, out: list) -> None:
    """Block-style lines of a mapping; small maps and lists of scalars go in flow style."""
    pad = " " * indent
    for key, value in record.items():
        if isinstance(value, dict):
            if all(_is_scalar(v) for v in value.values()) and len(value) <= 6:
                out.append(f"{pad}{key}: {{{', '.join(f'{k}: {scalar(v)}' for k, v in value.items())}}}")
            else:
                out.append(f"{pad}{key}:")
                mapping_lines(value, indent + 2, out)
        elif isinstance(value, list):
            if all(_is_scalar(v) for v in value):
                out.append(f"{pad}{key}: [{', '.join(scalar(v) for v in value)}]")
            else:
                out.append(f"{pad}{key}:")
                sequence_lines(value, indent + 2, out)
        else:
            out.append(f"{pad}{key}: {scalar(value)}")


def sequence_lines(items: list, indent: int, out: list) -> None:
    for item in items:
        start = len(out)
        mapping_lines(item, indent + 2, out)
        out[start] = " " * indent + "- " + out[start][indent + 2:]


def record_text(record: dict) -> str:
    out: list = []
    mapping_lines(record, 0, out)
    return "\n".join(out) + "\n"


def records_text(records: list) -> str:
    out: list = []
    sequence_lines(records, 0, out)
    return "\n".join(out) + "\n"


def money(cents: int) -> Raw:
    return Raw(f"{cents // 100}" if cents % 100 == 0 else f"{cents // 100}.{cents % 100:02d}")


# --- the company -------------------------------------------------------------------------------

def counts_for(scale: float) -> dict:
    return {name: max(1, round(n * scale)) for name, n in BASE.items()}


class Generator:
    """Builds the records of one company in memory: team, customers, contracts, money, visits."""

    def __init__(self, scale: float, seed: int = 2026):
        self.rnd = random.Random(seed)
        self.n = counts_for(scale)
        self.used_ids: set = set()
        self.team: list = []
        self.reps: list = []  # rep member dicts
        self.group_of: dict = {}
        self.manager_of: dict = {}
        self.customers: list = []
        self.contracts: list = []
        self.receivables: list = []
        self.visits: list = []
        self.reviews: list = []
        self.payer: dict = {}  # customer id -> prompt | slow | bad
        self.first_signed: dict = {}  # customer id -> date of its first counted contract

    def build(self) -> "Generator":
        self.make_team()
        self.make_customers()
        self.make_contracts()
        self.make_receivables()
        self.make_visits()
        self.make_reviews()
        return self

    # people

    def person(self):
        """A Chinese name and a unique ASCII id made of its pinyin."""
        surname, s_py = self.rnd.choice(SURNAMES)
        given = self.rnd.sample(GIVEN, self.rnd.choice((1, 2, 2)))
        name = surname + "".join(g for g, _ in given)
        base = s_py + "".join(p for _, p in given)
        member_id, k = base, 1
        while member_id in self.used_ids:
            k += 1
            member_id = f"{base}{k}"
        self.used_ids.add(member_id)
        return member_id, name

    def member(self, role, **extra):
        member_id, name = self.person()
        m = {"id": member_id, "name": name, "role": role, **extra, "email": f"{member_id}@xinghe-training.cn"}
        self.team.append(m)
        return m

    def make_team(self):
        director = self.member("manager")
        groups = max(1, -(-self.n["reps"] // 5))
        for g in range(groups):
            group = GROUP_NAMES[g % len(GROUP_NAMES)] + (str(g // len(GROUP_NAMES) + 1) if g >= len(GROUP_NAMES) else "")
            lead = self.member("manager", group=group, manager=director["id"])
            size = self.n["reps"] // groups + (1 if g < self.n["reps"] % groups else 0)
            for _ in range(size):
                rep = self.member("rep", group=group, manager=lead["id"])
                self.reps.append(rep)
                self.group_of[rep["id"]] = group
                self.manager_of[rep["id"]] = lead["id"]
        self.legal = self.member("legal")["id"]
        self.finance = self.member("finance")["id"]
        self.member("admin")
        self.by_group: dict = {}
        for rep in self.reps:
            self.by_group.setdefault(rep["group"], []).append(rep["id"])

    # customers

    def make_customers(self):
        rnd = self.rnd
        names = set()
        rows = []
        for _ in range(self.n["customers"]):
            city, region, area = rnd.choice(CITIES)
            for _attempt in range(20):
                brand, brand_py = rnd.choice(BRANDS)
                trade, industry = rnd.choice(TRADES)
                name = f"{city}{brand}{trade}有限公司"
                if name not in names:
                    break
            names.add(name)
            created = START + timedelta(days=rnd.randint(0, (END - START).days - 30))
            rows.append((created, name, region, area, brand_py, industry))
        rows.sort(key=lambda r: r[0])
        width = max(5, len(str(len(rows))))
        for i, (created, name, region, area, domain, industry) in enumerate(rows, 1):
            owner = rnd.choice(self.reps)["id"]
            tier = rnd.choices(["A", "B", "C", None], weights=[15, 35, 35, 15])[0]
            c = {"id": f"CUS-{i:0{width}d}", "name": name, "owner": owner, "status": "prospect"}
            if tier:
                c["tier"] = tier
            if tier == "A" and rnd.random() < 0.4 or rnd.random() < 0.03:
                c["key"] = True
            if rnd.random() < 0.03:
                c["follow_up_days"] = rnd.choice([21, 45, 120])
            c.update(industry=industry, size=rnd.choice(SIZES), region=region, source=rnd.choice(SOURCES),
                     created=created, contacts=self.contacts(area, domain))
            tags = rnd.sample(TAGS, rnd.choice((0, 0, 1, 2)))
            if tags:
                c["tags"] = tags
            if rnd.random() < 0.15:
                c["notes"] = rnd.choice(CUSTOMER_NOTES)
            self.customers.append(c)
            self.payer[c["id"]] = rnd.choices(["prompt", "slow", "bad"], weights=[70, 22, 8])[0]
        self.created_days = [c["created"].toordinal() for c in self.customers]

    def contacts(self, area, domain):
        rnd = self.rnd
        out = []
        for k in range(rnd.choice((1, 1, 2, 2, 3))):
            surname, s_py = rnd.choice(SURNAMES)
            given, g_py = rnd.choice(GIVEN)
            contact = {"name": surname + given, "title": rnd.choice(TITLES)}
            if rnd.random() < 0.6:
                contact["phone"] = f"1{rnd.choice('3589')}{rnd.randint(0, 9)} {rnd.randint(1000, 9999)} {rnd.randint(1000, 9999)}"
            else:
                contact["phone"] = f"{area}-{rnd.randint(5000_0000, 8999_9999)}"
            if rnd.random() < 0.7:
                contact["email"] = f"{g_py}.{s_py}@{domain}.com.cn"
            if k == 0:
                contact["primary"] = True
            out.append(contact)
        return out

    # contracts

    def make_contracts(self):
        """Contract dates over the whole period with mild growth, each for a customer that existed.

        Customers are sorted by creation, so the ones existing at a date are a prefix of the list;
        a running sum of tier weights picks among them by bisection (fast at scale 10).
        """
        rnd = self.rnd
        weight = {"A": 5, "B": 3, "C": 1, None: 1}
        running, total_weight = [], 0
        for c in self.customers:
            total_weight += weight[c.get("tier")]
            running.append(total_weight)
        first = self.customers[0]["created"] + timedelta(days=14)
        span = (END - timedelta(days=2) - first).days
        drafts = []
        for _ in range(self.n["contracts"]):
            if rnd.random() < 0.06:  # the pipeline: contracts still being negotiated or approved
                offset = span - rnd.randint(0, 45)
            else:  # half uniform, half growing linearly: a company that grows
                u = rnd.random()
                offset = round(span * (u if rnd.random() < 0.5 else u ** 0.5))
            created = first + timedelta(days=max(0, offset))
            existing = bisect.bisect_right(self.created_days, (created - timedelta(days=14)).toordinal()) or 1
            index = bisect.bisect_right(running, rnd.random() * running[existing - 1], 0, existing - 1)
            drafts.append((created, self.customers[index]))
        drafts.sort(key=lambda d: (d[0], d[1]["id"]))
        width = max(5, len(str(len(drafts))))
        for i, (created, customer) in enumerate(drafts, 1):
            self.contracts.append(self.contract(f"CON-{i:0{width}d}", customer, created))
        for contract in self.contracts:
            if contract["status"] in ("signed", "completed"):
                cid = contract["customer"]
                self.first_signed[cid] = min(self.first_signed.get(cid, contract["signed"]), contract["signed"])
        for customer in self.customers:
            if customer["id"] in self.first_signed:
                customer["status"] = "customer"
            elif customer["created"] < END - timedelta(days=540) and rnd.random() < 0.3:
                customer["status"] = "lost"
            elif rnd.random() < 0.3:
                customer["status"] = "lead"

    def contract(self, contract_id, customer, created) -> dict:
        rnd = self.rnd
        owner = customer["owner"]
        items, amount = self.items()
        main = items[0]["name"].split("（")[0]
        c = {"id": contract_id, "customer": customer["id"], "owner": owner,
             "title": f"{created.year}年{main}合同", "status": "draft", "created": created}
        fate = rnd.choices(["normal", "rejected", "terminated"], weights=[94, 3, 3])[0]
        approvals, signed = self.approval_timeline(owner, created, reject_final=fate == "rejected")
        kept = [a for a in approvals if a["date"] <= END]
        if created > END - timedelta(days=20) and rnd.random() < 0.4:
            kept = []  # still being drafted
        all_approved = len({a["stage"] for a in kept if a["decision"] == "approved"}) == len(CHAIN)
        if fate == "rejected" and len(kept) == len(approvals):
            status = "terminated"
        elif all_approved and signed <= END:
            status = "signed"
        elif all_approved:
            status = "approved"
        elif kept:
            status = "in_review"
        else:
            status = "draft"
        c["status"] = status
        if status == "signed":
            c["signed"] = signed
            c["start"] = signed + timedelta(days=rnd.randint(3, 20))
            c["end"] = c["start"] + timedelta(days=rnd.choice((90, 180, 270, 365, 365, 540, 730)))
            if fate == "terminated" and signed < END - timedelta(days=90):
                c["status"] = "terminated"
            elif c["end"] < END and rnd.random() < 0.85:
                c["status"] = "completed"
        elif status == "approved":
            c["start"] = END + timedelta(days=rnd.randint(7, 30))
            c["end"] = c["start"] + timedelta(days=365)
        if rnd.random() < 0.3:
            c["currency"] = "CNY"
        c["items"] = items
        c["amount"] = money(amount)
        c["_cents"] = amount  # kept for the schedule; not written
        if status != "draft" or rnd.random() < 0.5:
            c["payment_terms"] = "按合同约定分期付款，每期开票后30日内支付"
        if rnd.random() < 0.5:
            c["template"] = "contract"
        if kept:
            c["approvals"] = kept
        if rnd.random() < 0.08:
            c["notes"] = rnd.choice(["客户要求开具增值税专用发票", "培训场地由客户提供", "含讲师差旅费用"])
        return c

    def items(self):
        rnd = self.rnd
        items, total = [], 0
        for name, unit, low, high, (qlow, qhigh) in rnd.sample(CATALOGUE, rnd.choice((1, 1, 2, 2, 3, 4))):
            price = rnd.randint(low // 100, high // 100) * 10000  # whole hundreds of yuan, in cents
            if rnd.random() < 0.1:
                price += rnd.choice((50, 8000, 9950))  # the odd 0.50, 80.00 or 99.50
            quantity = rnd.randint(qlow, qhigh)
            items.append({"name": name, "quantity": quantity, "unit": unit, "unit_price": money(price)})
            total += quantity * price
        return items, total

    def approval_timeline(self, owner, created, reject_final=False):
        """Entries of the chain in order, dated forward; sometimes a stage rejects once first.

        With `reject_final` the chain stops at a rejection (the deal fell through).
        Returns the entries and the day the contract would be signed.
        """
        rnd = self.rnd
        by = {"manager": self.manager_of[owner], "legal": self.legal, "finance": self.finance}
        entries = []
        day = created + timedelta(days=rnd.randint(0, 5))
        stop = rnd.randrange(len(CHAIN)) if reject_final else None
        reject = rnd.randrange(len(CHAIN)) if rnd.random() < 0.12 else None
        for i, stage in enumerate(CHAIN):
            if i in (stop, reject):
                entries.append({"stage": stage, "by": by[stage], "date": day, "decision": "rejected",
                                "comment": rnd.choice(["付款条件需修改", "价格折扣超出权限", "违约条款需补充"])})
                if i == stop:
                    return entries, date.max
                day += timedelta(days=rnd.randint(2, 8))
            entry = {"stage": stage, "by": by[stage], "date": day, "decision": "approved"}
            if rnd.random() < 0.1:
                entry["comment"] = "同意"
            entries.append(entry)
            day += timedelta(days=rnd.randint(0, 6))
        return entries, day + timedelta(days=rnd.randint(1, 20))

    # receivables

    def make_receivables(self):
        """Every counted contract is scheduled exactly; a terminated one kept its first installment."""
        rnd = self.rnd
        scheduled = [c for c in self.contracts if "signed" in c]
        parts = {}
        for c in scheduled:
            if c["status"] == "terminated":
                parts[c["id"]] = 1
            else:
                parts[c["id"]] = rnd.choice((1, 2, 2, 3, 3, 3, 4, 4, 6))
        counted = [c for c in scheduled if c["status"] != "terminated"]
        target = max(self.n["receivables"], len(scheduled))
        while counted and sum(parts.values()) > target:
            c = rnd.choice(counted)
            if parts[c["id"]] > 1:
                parts[c["id"]] -= 1
        while counted and sum(parts.values()) < target:
            c = rnd.choice(counted)
            if parts[c["id"]] < 12:
                parts[c["id"]] += 1
        width = max(6, len(str(target)))
        number = 0
        for c in scheduled:
            for amount, due in self.schedule(c, parts[c["id"]]):
                number += 1
                self.receivables.append(self.receivable(f"REC-{number:0{width}d}", c, amount, due))

    def schedule(self, contract, k):
        """k installments: 30% soon after signing, the rest spread to 30 days after the end."""
        rnd = self.rnd
        cents = contract["_cents"]
        first_due = contract["signed"] + timedelta(days=rnd.choice((7, 10, 15, 30)))
        if contract["status"] == "terminated":
            return [(cents * 3 // 10, first_due)]
        if k == 1:
            return [(cents, first_due)]
        shares = [30] + [70 / (k - 1)] * (k - 1)
        amounts = [round(cents * s / 100) for s in shares[:-1]]
        amounts.append(cents - sum(amounts))
        last_due = contract["end"] + timedelta(days=30)
        step = max(1, (last_due - first_due).days // (k - 1))
        dues = [first_due + timedelta(days=step * i) for i in range(k - 1)] + [last_due]
        return list(zip(amounts, dues))

    def receivable(self, rec_id, contract, cents, due) -> dict:
        rnd = self.rnd
        signed = contract["signed"]
        profile = self.payer[contract["customer"]]
        r = {"id": rec_id, "contract": contract["id"], "amount": money(cents), "due": due}
        if due <= END + timedelta(days=15) and rnd.random() < 0.85:
            r["invoice"] = str(rnd.randint(10_000_000, 99_999_999))
        if profile == "prompt":
            pay_day, pay = due + timedelta(days=rnd.randint(-10, 12)), cents
        elif profile == "slow":
            pay_day, pay = due + timedelta(days=rnd.randint(15, 160)), cents
        else:
            fate = rnd.random()
            pay_day = due + timedelta(days=rnd.randint(20, 400))
            pay = 0 if fate < 0.4 else cents * rnd.randint(2, 6) // 10 if fate < 0.7 else cents
        pay_day = max(pay_day, signed)
        payments = []
        if pay and pay_day <= END:
            if rnd.random() < 0.15 and pay == cents and (pay_day - signed).days > 20:
                first = cents * rnd.randint(3, 7) // 10
                payments.append(self.payment(pay_day - timedelta(days=rnd.randint(5, 20)), first))
                payments.append(self.payment(pay_day, cents - first))
            else:
                payments.append(self.payment(pay_day, pay))
        paid_day = pay_day if payments and pay == cents else None
        if payments:
            r["payments"] = payments
        written_off = None
        unpaid_since = (END - due).days
        if not paid_day and profile == "bad" and unpaid_since > 300 and rnd.random() < 0.5:
            written_off = {"date": due + timedelta(days=rnd.randint(200, min(400, unpaid_since))),
                           "by": self.finance, "reason": rnd.choice(WRITE_OFF_REASONS)}
        log = self.collection_log(contract["owner"], due, written_off["date"] if written_off else paid_day)
        if log:
            r["collection"] = log
        if written_off:
            r["written_off"] = written_off
        return r

    def payment(self, day, cents):
        method = self.rnd.choice(METHODS)
        p = {"date": day, "amount": money(cents), "method": method}
        if method == "银行转账":
            p["ref"] = f"TX{day:%Y%m%d}-{self.rnd.randint(1, 9999):04d}"
        return p

    def collection_log(self, owner, due, settled):
        """Actions the escalation called for until the receivable was paid or written off, with promises."""
        rnd = self.rnd
        log = []
        stop = min(END, settled - timedelta(days=1)) if settled else END
        for after, channel in ESCALATION:
            day = due + timedelta(days=after + rnd.randint(0, 4))
            if day > stop or rnd.random() < 0.2:
                continue
            entry = {"date": day, "by": self.finance if channel == "agency" else owner, "channel": channel}
            if rnd.random() < 0.7:
                entry["note"] = rnd.choice(COLLECTION_NOTES)
            if rnd.random() < 0.35:
                entry["promised"] = day + timedelta(days=rnd.randint(5, 30))
            log.append(entry)
        return log

    # visits

    def make_visits(self):
        """Negotiation visits before each contract, the rest spread over each customer's life."""
        rnd = self.rnd
        total = self.n["visits"]
        planned = []
        by_id = {c["id"]: c for c in self.customers}
        for c in self.contracts:
            customer = by_id[c["customer"]]
            for _ in range(rnd.randint(1, 3)):
                day = c["created"] - timedelta(days=rnd.randint(0, 45))
                planned.append((max(day, customer["created"]), customer, "negotiation"))
        if len(planned) > total // 2:
            planned = rnd.sample(planned, total // 2)
        weights = [(END - c["created"]).days * (3 if c["id"] in self.first_signed else 1) + 1 for c in self.customers]
        for customer in rnd.choices(self.customers, weights=weights, k=total - len(planned)):
            day = customer["created"] + timedelta(days=rnd.randint(0, (END - customer["created"]).days))
            planned.append((day, customer, None))
        planned.sort(key=lambda p: (p[0], p[1]["id"]))
        width = max(6, len(str(len(planned))))
        for i, (day, customer, kind) in enumerate(planned, 1):
            self.visits.append(self.visit(f"VIS-{i:0{width}d}", day, customer, kind))

    def visit(self, visit_id, day, customer, kind):
        rnd = self.rnd
        owner = customer["owner"]
        rep = owner
        if rnd.random() < 0.1:
            rep = rnd.choice(self.by_group[self.group_of[owner]])
        if kind is None:
            first = self.first_signed.get(customer["id"])
            if first and first < day:
                kind = rnd.choices(["after_sales", "development", "negotiation", "complaint"], weights=[50, 35, 10, 5])[0]
            else:
                kind = rnd.choices(["development", "negotiation"], weights=[85, 15])[0]
        channel = rnd.choices(["onsite", "phone", "wechat", "video", "email", "other"], weights=[35, 30, 15, 10, 7, 3])[0]
        v = {"id": visit_id, "customer": customer["id"], "rep": rep, "date": day, "channel": channel}
        if kind != "development" or rnd.random() < 0.3:
            v["kind"] = kind
        if rnd.random() < 0.12:
            v["effective"] = False
        v["summary"] = rnd.choice(VISIT_TEXT[kind])
        if rnd.random() < 0.4:
            v["feedback"] = rnd.choice(FEEDBACK)
        if kind in ("after_sales", "complaint") and rnd.random() < 0.7 or rnd.random() < 0.15:
            scores = [1, 2, 3, 4, 5]
            v["satisfaction"] = rnd.choices(scores, weights=[10, 20, 30, 25, 15] if kind == "complaint" else [1, 3, 12, 42, 42])[0]
        if rnd.random() < 0.5:
            v["next"] = {"date": day + timedelta(days=rnd.randint(3, 30)), "action": rnd.choice(NEXT_ACTIONS)}
        return v

    # reviews

    def make_reviews(self):
        """One review per rep per quarter, for the latest complete quarters."""
        rnd = self.rnd
        quarters = []
        year, q = 2026, 3  # the last complete quarter before END
        wanted = min(20, max(1, round(self.n["reviews"] / len(self.reps))))
        while len(quarters) < wanted:
            quarters.append(f"{year}-Q{q}")
            year, q = (year, q - 1) if q > 1 else (year - 1, 4)
        quarters.reverse()
        width = max(5, len(str(len(quarters) * len(self.reps))))
        number = 0
        for period in quarters:
            for rep in self.reps:
                number += 1
                r = {"id": f"REV-{number:0{width}d}", "rep": rep["id"], "period": period,
                     "reviewer": self.manager_of[rep["id"]]}
                if rnd.random() < 0.9:
                    r["self"] = {"teamwork": rnd.randint(70, 100), "attitude": rnd.randint(75, 100)}
                r["manager"] = {"teamwork": rnd.randint(55, 98), "attitude": rnd.randint(60, 98)}
                if rnd.random() < 0.5:
                    r["comment"] = rnd.choice(REVIEW_COMMENTS)
                self.reviews.append(r)

    # salesctl.yaml

    def config(self) -> dict:
        """Company, team, and targets near each rep's actual result, in the four allowed forms."""
        rnd = self.rnd
        signed: dict = {}
        for c in self.contracts:
            if c["status"] in ("signed", "completed"):
                key = (c["signed"].year, c["owner"])
                signed[key] = signed.get(key, 0) + c["_cents"] // 100
        targets = {}
        for year in range(START.year + 1, END.year + 1):
            per_rep = {}
            for i, rep in enumerate(self.reps):
                yearly = max(100_000, round(signed.get((year, rep["id"]), 0) * rnd.uniform(0.8, 1.25), -4))
                quarters = [round(yearly * s, -3) for s in (0.2, 0.25, 0.25, 0.3)]
                form = i % 4
                if form == 0:
                    per_rep[rep["id"]] = {"year": yearly}
                elif form == 1:
                    per_rep[rep["id"]] = {"year": yearly, **{f"Q{q}": v for q, v in enumerate(quarters, 1)}}
                elif form == 2:
                    per_rep[rep["id"]] = {f"Q{q}": v for q, v in enumerate(quarters, 1)}
                else:
                    per_rep[rep["id"]] = {f"{m:02d}": round(quarters[(m - 1) // 3] / 3, -2) for m in range(1, 13)}
            targets[year] = per_rep
        return {
            "company": {"name": "星河企业培训有限公司", "address": "上海市浦东新区张江路88号", "tax_id": "91310115MA1K4XG22A",
                        "phone": "021-5080 1234", "bank": {"name": "招商银行上海分行", "account": "6225 8801 2345 6789"},
                        "representative": self.team[0]["name"]},
            "currency": "CNY",
            "locale": "zh_CN",
            "team": self.team,
            "targets": targets,
            "rules": {"aging_buckets": [30, 60, 90], "due_soon_days": 7,
                      "escalation": [{"after_days": d, "action": a} for d, a in ESCALATION],
                      "approval_chain": list(CHAIN), "approval_stale_days": 3},
            **PAY_SETTINGS,
            "calendar": holiday_calendar(START.year, END.year),
        }


# Activity targets, commission and bonus as a training company sets them (the pay reports read them).
PAY_SETTINGS = {
    "activity": {"rep": {"calls": 3, "effective": 1}},
    "commission": {"base": "collected", "method": "marginal",
                   "tiers": [{"from": 0, "rate": Raw("0.02")}, {"from": 200000, "rate": Raw("0.03")},
                             {"from": 500000, "rate": Raw("0.05")}],
                   "threshold": Raw("0.8"), "accelerator": {"attainment": Raw("1.2"), "rate": Raw("0.01")},
                   "clawback_rate": Raw("0.03")},
    "bonus": {"month": {"A": 1000, "B": 500, "C": 0, "D": 0}, "quarter": {"A": 5000, "B": 3000, "C": 1000, "D": 0},
              "year": {"A": 20000, "B": 10000, "C": 3000, "D": 0}},
}


def holiday_calendar(first: int, last: int) -> dict:
    """Holidays on weekdays (New Year's Day, Labour Day 1-3 May, National Day 1-7 October) and the
    first Saturday after National Day as a make-up workday, every year."""
    holidays, workdays = [], []
    for year in range(first, last + 1):
        days = [date(year, 1, 1), *(date(year, 5, d) for d in (1, 2, 3)), *(date(year, 10, d) for d in range(1, 8))]
        holidays += [day for day in days if day.weekday() < 5]
        workdays.append(next(date(year, 10, d) for d in range(8, 15) if date(year, 10, d).weekday() == 5))
    return {"holidays": holidays, "workdays": workdays}


# --- files -------------------------------------------------------------------------------------

def config_text(cfg: dict) -> str:
    """salesctl.yaml the way a person lays it out: one team member and one target per line."""
    out = ["# 星河企业培训有限公司 — generated by bench/gen.py", ""]
    mapping_lines({"company": cfg["company"], "currency": cfg["currency"], "locale": cfg["locale"]}, 0, out)
    out.append("team:")
    out.extend(f"  - {{{', '.join(f'{k}: {scalar(v)}' for k, v in m.items())}}}" for m in cfg["team"])
    out.append("targets:")
    for year, reps in cfg["targets"].items():
        out.append(f"  {year}:")
        out.extend(f"    {rep}: {{{', '.join(f'{scalar(k)}: {int(v)}' for k, v in keys.items())}}}"
                   for rep, keys in reps.items())
    mapping_lines({key: cfg[key] for key in ("rules", "calendar", *PAY_SETTINGS)}, 0, out)
    return "\n".join(out) + "\n"


def _public(record: dict) -> dict:
    return {k: v for k, v in record.items() if not k.startswith("_")}


def group_key(collection: str, record: dict) -> str:
    """Where a record lives in the grouped layout (a path under its collection, without .yaml)."""
    if collection == "customers":
        return record["owner"]
    if collection == "visits":
        return f"{record['date']:%Y}/{record['date']:%Y-%m}"
    if collection == "contracts":
        return f"{record['created']:%Y}"
    if collection == "receivables":
        return record["contract"]
    return record["period"]


def write_workspace(gen: Generator, out: str, layout: str) -> int:
    """Write salesctl.yaml, .gitignore and the collections; returns the number of files written."""
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "salesctl.yaml"), "w", encoding="utf-8") as fh:
        fh.write(config_text(gen.config()))
    with open(os.path.join(out, ".gitignore"), "w", encoding="utf-8") as fh:
        fh.write(".salesctl/\n")
    files = 1
    collections = {"customers": gen.customers, "visits": gen.visits, "contracts": gen.contracts,
                   "receivables": gen.receivables, "reviews": gen.reviews}
    for collection, records in collections.items():
        top = os.path.join(out, collection)
        os.makedirs(top, exist_ok=True)
        if layout == "single":
            for record in records:
                with open(os.path.join(top, record["id"] + ".yaml"), "w", encoding="utf-8") as fh:
                    fh.write(record_text(_public(record)))
            files += len(records)
            continue
        groups: dict = {}
        for record in records:
            groups.setdefault(group_key(collection, record), []).append(_public(record))
        for key, members in groups.items():
            path = os.path.join(top, key + ".yaml")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(records_text(members))
        files += len(groups)
    return files


def generate(out: str, scale: float = 1.0, layout: str = "single", seed: int = 2026, force: bool = False) -> dict:
    """Generate a workspace at `out`; returns the record counts, files written and seconds taken."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}")
    if not scale > 0:
        raise ValueError("scale must be above 0")
    if os.path.exists(out) and (not os.path.isdir(out) or os.listdir(out)):
        if not force:
            raise FileExistsError(f"{out} exists and is not empty (use --force to replace a generated workspace)")
        if not os.path.isfile(os.path.join(out, "salesctl.yaml")):
            raise FileExistsError(f"{out} is not a salesctl workspace; refusing to delete it even with --force")
        shutil.rmtree(out)
    started = time.perf_counter()
    gen = Generator(scale, seed).build()
    files = write_workspace(gen, out, layout)
    counts = {"reps": len(gen.reps), "customers": len(gen.customers), "visits": len(gen.visits),
              "contracts": len(gen.contracts), "receivables": len(gen.receivables), "reviews": len(gen.reviews)}
    return {"counts": counts, "files": files, "seconds": time.perf_counter() - started}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench/gen.py", description="Generate a large, valid salesctl workspace for benchmarks.",
        epilog="Example: python bench/gen.py --scale 1 --layout grouped -o /tmp/acme-bench")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="1 = 20 reps, 500 customers, 10,000 visits, 1,000 contracts, 3,000 receivables, 200 reviews")
    parser.add_argument("--layout", choices=LAYOUTS, default="single",
                        help="single: one file per record; grouped: visits per month, customers per owner, ...")
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help="where to write the workspace")
    parser.add_argument("--force", action="store_true", help="replace DIR when it holds a workspace")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    args = parser.parse_args(argv)
    if not args.scale > 0:
        parser.error("--scale must be above 0")
    try:
        result = generate(args.output, args.scale, args.layout, args.seed, args.force)
    except FileExistsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{n} {name}" for name, n in result["counts"].items())
    print(f"wrote {result['files']} files ({counts}) to {args.output} in {result['seconds']:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
