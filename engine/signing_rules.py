"""How a multi-instance step is decided: 会签 (everyone), 或签 (any one), 票签 (a share of the votes).

The rule is the user task's ``sign`` property: ``all``, ``any`` or a share such as ``2/3``. The
BPMN ends the step with its own completion condition, ``vote_tally["settled"]``: before each
decision runs, the platform writes the tally of the step's votes so far into the deciding child's
data (``vote_tally``) and into its decision record (``tally``), so the gateway after the step reads
the outcome from the last vote (``votes[-1]["tally"]["passed"]``). SpiffWorkflow then cancels the
children nobody needs any more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from engine.vocabulary import Decision
from kernel.errors import ValidationFailed

ALL, ANY = "all", "any"
CHINESE_SHARES = {Fraction(1, 2): "二分之一", Fraction(2, 3): "三分之二", Fraction(3, 4): "四分之三"}


@dataclass(frozen=True)
class SignRule:
    """``share`` is None for 会签 (all) and 或签 (any)."""

    mode: str  # "all", "any" or "share"
    share: Fraction | None = None

    @property
    def label(self) -> str:
        if self.mode == ALL:
            return "会签（全部同意方可通过）"
        if self.mode == ANY:
            return "或签（一人决定即可）"
        assert self.share is not None
        words = CHINESE_SHARES.get(self.share, f"{self.share.numerator}/{self.share.denominator}")
        return f"票签（{words}以上同意方可通过）"

    @property
    def needs_completion_condition(self) -> bool:
        """会签 ends when every child is done; the other rules end the step early, in the BPMN."""
        return self.mode != ALL

    def needed(self, total: int) -> int:
        """Votes to approve that make the step pass."""
        if self.mode == ALL:
            return total
        if self.mode == ANY:
            return 1
        assert self.share is not None
        return max(1, math.ceil(self.share * total))

    def tally(self, decisions: list[str], total: int) -> dict[str, Any]:
        """The votes cast so far (in order) out of ``total``: counts, whether the step is settled, and
        whether it passes (None while it is not settled)."""
        approve = sum(1 for d in decisions if d == Decision.APPROVE)
        decided = len(decisions)
        need = self.needed(total)
        if self.mode == ANY:
            settled = decided >= 1
            passed = decisions[0] == Decision.APPROVE if settled else None
        else:
            settled = approve >= need or approve + (total - decided) < need or decided == total
            passed = approve >= need if settled else None
        return {
            "approve": approve,
            "reject": sum(1 for d in decisions if d == Decision.REJECT),
            "return": sum(1 for d in decisions if d == Decision.RETURN),
            "decided": decided,
            "total": total,
            "needed": need,
            "settled": settled,
            "passed": passed,
        }


def parse(task: str, value: str | None) -> SignRule | None:
    """The ``sign`` property of a user task; None when it has none."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text in (ALL, ANY):
        return SignRule(text)
    try:
        share = Fraction(text)
    except (ValueError, ZeroDivisionError):
        share = None
    if share is None or not 0 < share <= 1 or "/" not in text:
        raise ValidationFailed(
            "invalid_bpmn", f"用户任务 {task} 的 sign 属性应为 all（会签）、any（或签）或比例如 2/3（票签）"
        )
    return SignRule("share", share)
