"""Vacancy-use efficiency (空缺编制使用效益率), a decision aid for 用编 requests.

δΔ = 100 / total approved establishment (the value of one place out of 100
points); ε = γ ÷ (λ × δΔ), as a percentage, for λ places requested and a
measured efficiency gain γ. A unit whose duties did not change may use at
most the largest λ with ε ≥ 100 %.

Two methods: ``exact`` (Decimal throughout, figures shown to 4 places) and
``published`` (the source article's: δΔ rounded half-up to 2 places before
dividing, ε rounded half-up to 2 places). The decision rarely differs; the
figures do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")
FOUR_PLACES = Decimal("0.0001")


class EfficiencyInputError(ValueError):
    """An input outside the formula's domain (Chinese message)."""


@dataclass(frozen=True)
class Efficiency:
    delta: Decimal
    epsilon_percent: Decimal
    max_requestable: int

    def as_dict(self) -> dict[str, object]:
        return {
            "delta": str(self.delta),
            "epsilon_percent": str(self.epsilon_percent),
            "max_requestable": self.max_requestable,
        }


def _check(gamma: Decimal, establishment: int, requested: int) -> None:
    if establishment <= 0:
        raise EfficiencyInputError("核定编制总数应为正整数")
    if requested <= 0:
        raise EfficiencyInputError("申请使用编制数应为正整数")
    if gamma < 0:
        raise EfficiencyInputError("效益提升值γ不能为负数")


def compute(gamma: Decimal, establishment: int, requested: int, *, published: bool = False) -> Efficiency:
    _check(gamma, establishment, requested)
    with localcontext() as ctx:
        ctx.prec = 28
        if published:
            delta = (HUNDRED / establishment).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
            epsilon = (gamma / (requested * delta) * HUNDRED).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
            max_requestable = _largest(
                lambda n: (gamma / (n * delta) * HUNDRED).quantize(TWO_PLACES, rounding=ROUND_HALF_UP) >= HUNDRED,
                upper=int(gamma / delta) + 1,
            )
            return Efficiency(delta, epsilon, max_requestable)
        exact_delta = HUNDRED / establishment
        exact_epsilon = gamma / (requested * exact_delta) * HUNDRED
        # ε(λ) ≥ 100 %  ⇔  λ ≤ γ / δΔ = γ · N / 100, so the bound is exact.
        bound = (gamma * establishment / HUNDRED).to_integral_value(rounding=ROUND_FLOOR)
        return Efficiency(
            exact_delta.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP),
            exact_epsilon.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP),
            int(bound),
        )


def _largest(ok: Callable[[int], bool], *, upper: int) -> int:
    """Largest n in 0..upper with ok(n); ε falls as n grows, so scan down from the bound."""
    for n in range(max(upper, 0), 0, -1):
        if ok(n):
            return n
    return 0
