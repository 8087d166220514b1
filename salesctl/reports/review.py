"""`report review`: each review's indicator scores, weighted total and grade (docs/derived.md#review-scores).

Metric indicators are scored from the KPIs of the review's own period (`kpi.rep_figures`);
subjective ones blend the self-evaluation and the manager's score by `review.self_weight`.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ..model.periods import Period, parse_period
from .kpi import ranks, rep_figures

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


def review_report(ws, as_of: date, period: Period | None = None, *, facts=None) -> dict:
    """The `report review` document: the reviews whose period lies within `period` (all without one),
    each period after the periods inside it (months, then their quarter, then the year).

    For a year or quarter, a rep with reviews inside it but none of exactly it gets a roll-up row:
    the mean of those reviews' totals and of each indicator's score, as the rows show them. Rows of
    exactly `period` (reviews and roll-ups) are ranked by total; every other row has rank None.
    `facts` (`kpi.Facts` as of the same date) saves indexing the workspace again.
    """
    chosen = []
    for review in ws.records["reviews"]:
        own = parse_period(review["period"])
        if period is None or (period.start <= own.start and own.end <= period.end):
            chosen.append((own, review))
    chosen.sort(key=lambda pair: (pair[0].end, -pair[0].start.toordinal(), pair[1].id))
    kpis = rep_figures(ws, as_of, {(own, review["rep"]) for own, review in chosen}, facts)
    rows, exact = [], []
    for own, review in chosen:
        member = ws.member(review["rep"])
        scored = score_review(review, ws.config, kpis[own, review["rep"]])
        rows.append({
            "review": review.id, "rep": review["rep"], "name": member["name"] if member else None,
            "period": review["period"],
            "scores": {name: _shown(score) for name, score in scored["scores"].items()},
            "total": _shown(scored["total"]), "grade": scored["grade"], "parts": None, "rank": None,
        })
        exact.append(period is not None and _same_days(own, period))
    if period is not None and period.kind in ("year", "quarter"):
        done = {row["rep"] for row, is_exact in zip(rows, exact) if is_exact}
        for rep in _team_order(ws, {row["rep"] for row in rows} - done):
            rows.append(roll_up(ws, period, [row for row in rows if row["rep"] == rep and row["review"]]))
            exact.append(True)
    ranked = [row for row, is_exact in zip(rows, exact) if is_exact]
    for row, rank in zip(ranked, ranks([row["total"] for row in ranked])):
        row["rank"] = rank
    for row in rows:
        row["scores"] = {name: _tenth(score) for name, score in row["scores"].items()}
        row["total"] = _tenth(row["total"])
    return {"period": period.label if period else None, "rows": rows}


def roll_up(ws, period: Period, parts: list) -> dict:
    """One rep's row for `period` from the rows of their reviews inside it: each mean to one decimal, half-up."""
    member = ws.member(parts[0]["rep"])
    total = _mean([row["total"] for row in parts])
    return {
        "review": None, "rep": parts[0]["rep"], "name": member["name"] if member else None, "period": period.label,
        "scores": {name: _mean([row["scores"][name] for row in parts]) for name in parts[0]["scores"]},
        "total": total, "grade": grade_for(total, ws.config.review["grades"]), "parts": len(parts), "rank": None,
    }


def period_grades(ws, as_of: date, period: Period, *, facts=None) -> dict:
    """{rep: grade} from the reviews (or roll-ups) of exactly `period`."""
    return {row["rep"]: row["grade"] for row in review_report(ws, as_of, period, facts=facts)["rows"]
            if row["review"] is None or _same_days(parse_period(row["period"]), period)}


def _same_days(one: Period, other: Period) -> bool:
    return (one.start, one.end) == (other.start, other.end)


def _team_order(ws, reps: set) -> list:
    return [m["id"] for m in ws.config.team if m["id"] in reps]


def _mean(values: list) -> Decimal | None:
    values = [v for v in values if v is not None]
    return (sum(values) / len(values)).quantize(TENTH, rounding=ROUND_HALF_UP) if values else None


def _shown(value: Decimal | int | None) -> Decimal | None:
    """A score as shown: rounded half-up to one decimal."""
    return None if value is None else Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP)


def _tenth(value: Decimal | None) -> float | None:
    """A shown score as a number with one decimal."""
    return None if value is None else float(value)
