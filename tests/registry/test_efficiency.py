"""Vacancy-use efficiency: the worked example of shared/DOMAIN.md, both methods."""

from __future__ import annotations

from decimal import Decimal

import pytest

from registry.efficiency import EfficiencyInputError, compute


@pytest.mark.parametrize(("requested", "epsilon"), [(1, "220.00"), (2, "110.00"), (3, "73.33")])
def test_domain_example_published(requested: int, epsilon: str) -> None:
    result = compute(Decimal(11), 20, requested, published=True)
    assert (str(result.delta), str(result.epsilon_percent), result.max_requestable) == ("5.00", epsilon, 2)


def test_exact_and_published_differ_in_figures_not_here_in_decision() -> None:
    exact = compute(Decimal(11), 30, 3)
    published = compute(Decimal(11), 30, 3, published=True)
    assert (exact.delta, exact.epsilon_percent) == (Decimal("3.3333"), Decimal("110.0000"))
    assert (published.delta, published.epsilon_percent) == (Decimal("3.33"), Decimal("110.11"))
    assert exact.max_requestable == published.max_requestable == 3


def test_rounding_can_change_the_decision() -> None:
    # N = 30: exact bound 0.99 x 30 / 100 -> 0 places; published δ 3.33 gives ε(1) = 29.73 %.
    assert compute(Decimal("0.99"), 30, 1).max_requestable == 0
    # γ = 3.33, N = 30: exact ε(1) = 99.9 % (no place); published δ 3.33 gives exactly 100.00 %.
    exact, published = compute(Decimal("3.33"), 30, 1), compute(Decimal("3.33"), 30, 1, published=True)
    assert exact.max_requestable == 0 and published.max_requestable == 1
    assert published.epsilon_percent == Decimal("100.00") and exact.epsilon_percent == Decimal("99.9000")


@pytest.mark.parametrize(("gamma", "n", "lam"), [(Decimal(1), 0, 1), (Decimal(1), 10, 0), (Decimal(-1), 10, 1)])
def test_inputs_outside_the_formula_are_refused(gamma: Decimal, n: int, lam: int) -> None:
    with pytest.raises(EfficiencyInputError):
        compute(gamma, n, lam)
