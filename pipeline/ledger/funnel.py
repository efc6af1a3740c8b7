"""Funnel limits (Spiegelhalter): is a unit's 整改率 below its type's pooled rate beyond chance?

A unit with n problems of which x are closed out is compared with its type's pooled rate p0 by
the exact binomial distribution, not the normal approximation: with few problems the normal
limit p0 − 1.96·√(p0(1−p0)/n) drops so low (or below zero) that it would misjudge small units,
e.g. it would name a unit with 0 of 3 closed against a pooled 70 %, while exactly
P(X ≤ 0 | 3, 0.7) = 0.027 is still inside the 95 % funnel.

The limit drawn on the chart is Spiegelhalter's interpolated exact limit (Statistics in
Medicine 2005, appendix A.1.1): with r the smallest count whose cumulative probability
F(r) ≥ 2.5 %, and α = (F(r) − 2.5 %) / (F(r) − F(r − 1)), the lower limit is (r − α) / n. A rate
x/n lies below it exactly when F(x) < 2.5 %, so the chart and the verdict always agree. The upper
limit is the same rule applied to the open items (1 − the lower limit for 1 − p0), so a rate lies
above it exactly when P(X ≥ x) < 2.5 %.
"""
from __future__ import annotations

import math

TAIL_95 = 0.025  # each side of the 95 % funnel


def _log_pmf(k: int, n: int, p: float) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * math.log(p) + (n - k) * math.log1p(-p)


def binom_cdf(x: int, n: int, p: float) -> float:
    """P(X ≤ x) for X ~ Binomial(n, p), summed exactly (n is a unit's problem count: small)."""
    if x < 0:
        return 0.0
    if x >= n or p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0
    return min(1.0, math.fsum(math.exp(_log_pmf(k, n, p)) for k in range(x + 1)))


def _lower(p0: float, n: int, q: float) -> float | None:
    """The rate at lower quantile q of Binomial(n, p0)/n, interpolated so the curve is smooth in n."""
    if n <= 0 or p0 is None or p0 != p0:
        return None
    if p0 <= 0.0 or p0 >= 1.0:
        return float(p0)
    # walk the cumulative distribution once, each term from the last (a unit may have hundreds of problems)
    step = math.log(p0) - math.log1p(-p0)
    log_pmf = n * math.log1p(-p0)
    r, below, cdf = 0, 0.0, math.exp(log_pmf)
    while cdf < q and r < n:
        log_pmf += math.log(n - r) - math.log(r + 1) + step
        r, below = r + 1, cdf
        cdf = min(1.0, cdf + math.exp(log_pmf))
    alpha = (cdf - q) / (cdf - below) if cdf > below else 0.0
    return max(0.0, min(1.0, (r - alpha) / n))


def lower_limit(p0: float, n: int) -> float | None:
    """The 95 % funnel's lower limit for a unit with n problems."""
    return _lower(p0, n, TAIL_95)


def upper_limit(p0: float, n: int) -> float | None:
    """The 95 % funnel's upper limit: the lower rule mirrored onto the open items."""
    if n <= 0 or p0 is None or p0 != p0:
        return None
    return 1.0 - _lower(1.0 - p0, n, TAIL_95)


def below_funnel(closed: int, n: int, p0: float) -> bool:
    """True when closed/n is below the 95 % lower limit: P(X ≤ closed | n, p0) < 2.5 %."""
    if n <= 0 or p0 is None or p0 != p0 or p0 <= 0.0:
        return False
    x, n, p = int(closed), int(n), float(p0)
    if x < 0 or x >= n or p >= 1.0:
        return binom_cdf(x, n, p) < TAIL_95
    # binom_cdf's terms from x down: a unit inside the funnel has passed 2.5 % after a few of them.
    # fsum is exact, so a part of the terms never sums above the whole and the answer is binom_cdf's
    terms = []
    for k in range(x, -1, -1):
        terms.append(math.exp(_log_pmf(k, n, p)))
        if len(terms) % 8 == 0 and math.fsum(terms) >= TAIL_95:
            return False
    return min(1.0, math.fsum(terms)) < TAIL_95


def pooled_rate(closed, found) -> float | None:
    """A type's pooled 整改率: all its closed items over all its problems (not a mean of rates)."""
    total = float(sum(found))
    return float(sum(closed)) / total if total > 0 else None


def funnel_curve(p0: float, max_n: int, points: int = 60) -> list[tuple[int, float, float]]:
    """(n, lower, upper) at up to `points` problem counts from 1 to max_n, for the chart."""
    if p0 is None or max_n < 1:
        return []
    step = max(1, math.ceil(max_n / points))
    ns = sorted({*range(1, max_n + 1, step), max_n})
    return [(n, lower_limit(p0, n), upper_limit(p0, n)) for n in ns]
