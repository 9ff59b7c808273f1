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

from forms.identifiers import USCC_ALPHABET, orgcode_check_char
from kernel.errors import Conflict
from registry.models import CodeBlock, IssuedCode, Unit

USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def build_code(block: CodeBlock, seq: int) -> str:
    body = f"{block.prefix}{seq:06d}"
    first17 = f"{block.authority}{block.category}{block.region_code}{body}{orgcode_check_char(body)}"
    return first17 + uscc_check_char(first17)


# 机构编制 (authority 1) registers 机关, 事业单位 and 群众团体 under these categories.
UNIT_CATEGORY = {"机关": "1", "事业单位": "2", "群众团体": "3"}


def issue_credit_code(
    session: Session, *, authority: str, category: str, region_code: str | None, unit_id: int | None
) -> IssuedCode:
    """The next code of the office's block for ``category``; ``region_code`` None
    takes the office's own block (positions 3-8 are the registering office's region)."""
    conditions = [
        CodeBlock.authority == authority,
        CodeBlock.category == category,
        CodeBlock.next_seq <= CodeBlock.last_seq,
    ]
    if region_code is not None:
        conditions.append(CodeBlock.region_code == region_code)
    block = session.scalars(
        select(CodeBlock)
        .where(*conditions)
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


def issue_for_unit(session: Session, unit: Unit) -> IssuedCode:
    """赋码 for a unit registered by the 编办: its category, this office's block."""
    issued = issue_credit_code(
        session, authority="1", category=UNIT_CATEGORY[unit.kind], region_code=None, unit_id=unit.id
    )
    unit.credit_code = issued.code
    return issued
