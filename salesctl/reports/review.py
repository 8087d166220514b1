"""`report review`: each review's indicator scores, weighted total and grade (SPEC section 7).

Metric indicators are scored from the KPIs of the review's own period (`kpi.rep_figures`);
subjective ones blend the self-evaluation and the manager's score by `review.self_weight`.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ..model.periods import Period, parse_period
from .kpi import rep_figures

HUNDRED = Decimal("100")
TENTH = Decimal("0.1")


def metric_score(metric: str, kpis: dict) -> Decimal | None:
    """attainment: min(attainment × 100, 100); satisfaction: satisfaction / 5 × 100; None without data."""
    if metric == "attainment":
        if not kpis["target"]:
            return None
        return min(kpis["signed_amount"] / kpis["target"] * HUNDRED, HUNDRED)
    if kpis["satisfaction"] is None:
        return None
    return Decimal(str(kpis["satisfaction"])) / 5 * HUNDRED


def subjective_score(self_score, manager_score, self_weight) -> Decimal | None:
    """self_weight % of the self-evaluation plus the rest of the manager's; one alone when only one is given."""
    if self_score is None or manager_score is None:
        return self_score if manager_score is None else manager_score
    weight = Decimal(self_weight) / HUNDRED
    return weight * self_score + (1 - weight) * manager_score


def weighted_total(scores: dict, indicators: list) -> Decimal | None:
    """Σ weight × score / Σ weight over the indicators that have a score, to one decimal."""
    scored = [(i["weight"], scores[i["name"]]) for i in indicators if scores[i["name"]] is not None]
    weights = sum((w for w, _ in scored), Decimal("0"))
    if not weights:
        return None
    return (sum(w * s for w, s in scored) / weights).quantize(TENTH, rounding=ROUND_HALF_UP)


def grade_for(total: Decimal | None, grades: dict) -> str | None:
    """The grade with the highest minimum that the total reaches."""
    if total is None:
        return None
    reached = [(minimum, name) for name, minimum in grades.items() if minimum <= total]
    return max(reached)[1] if reached else None


def score_review(review, config, kpis: dict) -> dict:
    """{scores: {indicator: score}, total, grade} of one review, given the KPIs of its rep and period."""
    settings = config.review
    scores = {}
    for indicator in settings["indicators"]:
        name = indicator["name"]
        if indicator.get("metric"):
            scores[name] = metric_score(indicator["metric"], kpis)
        else:
            scores[name] = subjective_score((review.get("self") or {}).get(name),
                                            (review.get("manager") or {}).get(name), settings["self_weight"])
    total = weighted_total(scores, settings["indicators"])
    return {"scores": scores, "total": total, "grade": grade_for(total, settings["grades"])}


def review_report(ws, as_of: date, period: Period | None = None) -> dict:
    """The `report review` document: the reviews whose period lies within `period` (all without one)."""
    chosen = []
    for review in ws.records["reviews"]:
        own = parse_period(review["period"])
        if period is None or (period.start <= own.start and own.end <= period.end):
            chosen.append((own, review))
    chosen.sort(key=lambda pair: (pair[0].start, pair[0].end, pair[1].id))
    kpis = rep_figures(ws, as_of, {(own, review["rep"]) for own, review in chosen})
    rows = []
    for own, review in chosen:
        member = ws.member(review["rep"])
        scored = score_review(review, ws.config, kpis[own, review["rep"]])
        rows.append({
            "review": review.id, "rep": review["rep"], "name": member["name"] if member else None,
            "period": review["period"],
            "scores": {name: _tenth(score) for name, score in scored["scores"].items()},
            "total": _tenth(scored["total"]), "grade": scored["grade"],
        })
    return {"period": period.label if period else None, "rows": rows}


def _tenth(value: Decimal | int | None) -> float | None:
    """A score as shown: a number with one decimal."""
    return None if value is None else float(Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP))
