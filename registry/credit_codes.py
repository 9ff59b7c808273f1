"""Issuing unified social credit codes from a pre-assigned block (预赋码段).

The next body of the block is taken under a row lock (PostgreSQL ``FOR
UPDATE``; SQLite has one writer), so concurrent issuances get distinct,
consecutive sequence numbers: no duplicate, no gap. Real issuance belongs to
the national system; this allocator sits behind ``issue_credit_code`` so an
adapter to that system can replace it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Conflict
from forms.identifiers import USCC_ALPHABET, orgcode_check_char
from registry.models import CodeBlock, IssuedCode

USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def build_code(block: CodeBlock, seq: int) -> str:
    body = f"{block.prefix}{seq:06d}"
    first17 = f"{block.authority}{block.category}{block.region_code}{body}{orgcode_check_char(body)}"
    return first17 + uscc_check_char(first17)


def issue_credit_code(
    session: Session, *, authority: str, category: str, region_code: str, unit_id: int | None
) -> IssuedCode:
    block = session.scalars(
        select(CodeBlock)
        .where(
            CodeBlock.authority == authority,
            CodeBlock.category == category,
            CodeBlock.region_code == region_code,
            CodeBlock.next_seq <= CodeBlock.last_seq,
        )
        .order_by(CodeBlock.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if block is None:
        raise Conflict("code_block_exhausted", "本机关可用的统一社会信用代码号段已用完，请向上级申请新的号段")
    seq = block.next_seq
    block.next_seq = seq + 1
    issued = IssuedCode(code=build_code(block, seq), block_id=block.id, seq=seq, unit_id=unit_id)
    session.add(issued)
    session.flush()
    return issued
