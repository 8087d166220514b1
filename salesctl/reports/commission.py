"""`report commission`: commission and performance bonus per rep for a period, for payroll.

The base is a KPI of the period (`collected` or `signed_amount`, from the rep's `kpi.Tally`) and
eligibility reads the KPI attainment; tiers, threshold, accelerator and clawback follow
`commission` in salesctl.yaml, the bonus follows `bonus` by the grade of the rep's review (or
roll-up) of the period. Every amount is rounded half-up to cents where it is computed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .. import derive
from ..model.money import ZERO, Ratio, money
from ..model.periods import Period, calendar_period
from .kpi import Facts, attainment, figures
from .review import period_grades

COMMISSION_KEYS = ("base", "attainment", "eligible", "tiers", "accelerator", "clawback", "commission", "grade", "bonus",
                   "total")
TOTAL_KEYS = ("base", "accelerator", "clawback", "commission", "bonus", "total")


def tier_lines(base: Decimal, tiers: list, method: str) -> list[dict]:
    """The tier lines {from, to, rate, amount, commission} of a base.

    marginal: one line per band the base enters (base above its `from`), the part of the base inside
    the band at the band's rate. whole: one line, the highest band with `from` ≤ base, its rate on
    the whole base. `to` is the next band's `from` (None for the last band).
    """
    lines = []
    for i, tier in enumerate(tiers):
        upper = tiers[i + 1]["from"] if i + 1 < len(tiers) else None
        if method == "whole":
            if not (tier["from"] <= base and (upper is None or base < upper)):
                continue
            amount = base
        else:
            if base <= tier["from"]:
                continue
            amount = (base if upper is None else min(base, upper)) - tier["from"]
        lines.append({"from": tier["from"], "to": upper, "rate": Ratio(tier["rate"]), "amount": amount,
                      "commission": money(amount * tier["rate"])})
    return lines


def is_eligible(reached: Decimal | None, threshold: Decimal | None) -> bool:
    """No threshold: always; else an attainment at or above it (a rep without a target never is)."""
    return threshold is None or (reached is not None and reached >= threshold)


def accelerator(base: Decimal, reached: Decimal | None, settings: dict | None) -> Decimal:
    """base × rate when attainment reaches the accelerator's attainment, else 0."""
    if settings is None or reached is None or reached < settings["attainment"]:
        return ZERO
    return money(base * settings["rate"])


def written_off_in(facts: Facts, rep: str, period: Period) -> list:
    """(receivable, balance as of its write-off) of the rep's receivables written off in P (and by D)."""
    out = []
    for receivable in facts.receivables_by_owner.get(rep, ()):
        if derive.is_written_off(receivable, facts.as_of) and receivable["written_off"]["date"] in period:
            out.append((receivable, derive.receivable_balance(receivable, receivable["written_off"]["date"])))
    return sorted(out, key=lambda pair: (pair[0]["written_off"]["date"], pair[0].id))


def commission_report(ws, period: Period, as_of: date, *, detail: bool = False) -> dict:
    """The `report commission` document: one row per rep (role rep), a total row; with `detail`,
    each row also lists the records behind its base and its clawback."""
    settings = ws.config.commission
    facts = Facts(ws, as_of)
    exact = calendar_period(period)
    grades = period_grades(ws, as_of, exact, facts=facts) if exact else {}
    bonuses = ws.config.bonus.get(exact.kind, {}) if exact else {}
    rows = []
    for member in (m for m in ws.config.team if m.get("role") == "rep"):
        tally = facts.tally(member["id"], period)
        kpis = figures(tally)
        base = kpis["collected"] if settings["base"] == "collected" else kpis["signed_amount"]
        reached = attainment(kpis["signed_amount"], kpis["target"])
        eligible = is_eligible(reached, settings["threshold"])
        tiers = tier_lines(base, settings["tiers"], settings["method"])
        extra = accelerator(base, reached, settings["accelerator"])
        clawed = written_off_in(facts, member["id"], period)
        clawback = money(sum((balance for _, balance in clawed), ZERO) * settings["clawback_rate"])
        earned = sum((line["commission"] for line in tiers), ZERO) + extra if eligible else ZERO
        grade = grades.get(member["id"])
        bonus = bonuses.get(grade, ZERO) if grade is not None else ZERO
        row = {"rep": member["id"], "name": member["name"], "base": base, "attainment": kpis["attainment"],
               "eligible": eligible, "tiers": tiers, "accelerator": extra, "clawback": clawback,
               "commission": earned - clawback, "grade": grade, "bonus": bonus, "total": earned - clawback + bonus}
        if detail:
            row.update(_detail(ws, tally, clawed, settings["base"]))
        rows.append(row)
    total = {key: sum((row[key] for row in rows), ZERO) for key in TOTAL_KEYS}
    return {"period": period.label, "start": period.start, "end": period.end, "base": settings["base"],
            "method": settings["method"], "rows": rows, "total": total}


def _detail(ws, tally, clawed: list, base: str) -> dict:
    """The payments (base collected) or contracts (base signed) that make up the base, and the
    receivables clawed back."""
    out = {}
    if base == "collected":
        out["payments"] = []
        for receivable, payment in sorted(tally.payments, key=lambda pair: (pair[1]["date"], pair[0].id)):
            contract = derive.receivable_contract(ws, receivable)
            out["payments"].append({
                "receivable": receivable.id, "contract": receivable.get("contract"),
                "customer": contract.get("customer") if contract else None, "date": payment["date"],
                "amount": payment["amount"], "method": payment.get("method"), "ref": payment.get("ref")})
    else:
        out["contracts"] = [{"contract": c.id, "customer": c.get("customer"), "title": c.get("title"),
                             "signed": c["signed"], "amount": c["amount"]} for c in tally.contracts]
    out["clawed_back"] = []
    for receivable, balance in clawed:
        contract = derive.receivable_contract(ws, receivable)
        out["clawed_back"].append({
            "receivable": receivable.id, "contract": receivable.get("contract"),
            "customer": contract.get("customer") if contract else None, "date": receivable["written_off"]["date"],
            "reason": receivable["written_off"].get("reason"), "balance": balance})
    return out

