"""Credit-code blocks (号段): what the superior office assigned to this registering office.

An operator loads each block it receives (command line or admin page);
赋码 and 新设机构 take codes from them in order. A block is checked before
it is kept: the authority is 机构编制 (1), the category one this office
registers, the region a GB/T 2260 code, the two-character prefix from the
code alphabet, and its range may not overlap another block of the same
authority, category, region and prefix (the codes would repeat).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.context import EngineContext
from forms.identifiers import USCC_ALPHABET, region_name
from kernel import audit
from kernel.actors import Actor
from kernel.errors import Conflict, Forbidden, ValidationFailed
from registry.credit_codes import UNIT_CATEGORY, build_code
from registry.models import CodeBlock

AUTHORITY = "1"  # 机构编制
CATEGORY_TEXT = {code: kind for kind, code in UNIT_CATEGORY.items()}
MAX_SEQ = 999_999


@dataclass(frozen=True)
class BlockRequest:
    category: str
    region_code: str
    prefix: str
    first_seq: int
    last_seq: int


def _checked(request: BlockRequest) -> BlockRequest:
    problems = []
    if request.category not in CATEGORY_TEXT:
        problems.append("机构类别应为 1（机关）、2（事业单位）或 3（群众团体）")
    if not re.fullmatch(r"\d{6}", request.region_code) or region_name(request.region_code) is None:
        problems.append(f"登记管理机关行政区划码“{request.region_code}”不是有效的六位 GB/T 2260 代码")
    prefix = request.prefix.upper()
    if len(prefix) != 2 or any(ch not in USCC_ALPHABET for ch in prefix):
        problems.append("号段前缀应为两位数字或大写字母（不含 I、O、S、V、Z）")
    if not (0 <= request.first_seq <= request.last_seq <= MAX_SEQ):
        problems.append(f"号段起止应满足 0 ≤ 起始 ≤ 终止 ≤ {MAX_SEQ}")
    if problems:
        raise ValidationFailed("code_block_invalid", "；".join(problems), details={"problems": problems})
    return BlockRequest(request.category, request.region_code, prefix, request.first_seq, request.last_seq)


def _overlapping(session: Session, request: BlockRequest) -> CodeBlock | None:
    return session.scalars(
        select(CodeBlock).where(
            CodeBlock.authority == AUTHORITY,
            CodeBlock.category == request.category,
            CodeBlock.region_code == request.region_code,
            CodeBlock.prefix == request.prefix,
            CodeBlock.first_seq <= request.last_seq,
            CodeBlock.last_seq >= request.first_seq,
        )
    ).first()


def add_block(session: Session, actor: str, request: BlockRequest) -> dict[str, Any]:
    checked = _checked(request)
    clash = _overlapping(session, checked)
    if clash is not None:
        raise Conflict(
            "code_block_overlap",
            f"与已有号段 {clash.prefix}{clash.first_seq:06d}–{clash.prefix}{clash.last_seq:06d} 重叠，代码会重复",
            details={"block_id": clash.id},
        )
    block = CodeBlock(
        authority=AUTHORITY,
        category=checked.category,
        region_code=checked.region_code,
        prefix=checked.prefix,
        first_seq=checked.first_seq,
        last_seq=checked.last_seq,
        next_seq=checked.first_seq,
    )
    session.add(block)
    session.flush()
    view = block_view(block)
    audit.record(session, actor=actor, action="code_block_added", details=view)
    return view


def list_blocks(session: Session) -> list[dict[str, Any]]:
    blocks = session.scalars(select(CodeBlock).order_by(CodeBlock.category, CodeBlock.id))
    return [block_view(b) for b in blocks]


def block_view(block: CodeBlock) -> dict[str, Any]:
    size = block.last_seq - block.first_seq + 1
    return {
        "id": block.id,
        "authority": block.authority,
        "category": block.category,
        "category_text": CATEGORY_TEXT.get(block.category, block.category),
        "region_code": block.region_code,
        "region_name": region_name(block.region_code),
        "prefix": block.prefix,
        "first_seq": block.first_seq,
        "last_seq": block.last_seq,
        "next_seq": block.next_seq,
        "size": size,
        "used": block.next_seq - block.first_seq,
        "remaining": max(0, block.last_seq - block.next_seq + 1),
        "first_code": build_code(block, block.first_seq),
        "last_code": build_code(block, block.last_seq),
    }


def add(ctx: EngineContext, actor: Actor, request: BlockRequest) -> dict[str, Any]:
    """An administrator loads a block (the admin page)."""
    _must_be_admin(actor)
    with ctx.transaction() as session:
        return add_block(session, actor.username, request)


def listing(ctx: EngineContext, actor: Actor) -> list[dict[str, Any]]:
    _must_be_admin(actor)
    with ctx.reading() as session:
        return list_blocks(session)


def _must_be_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("admin_only", "只有管理员可以管理统一社会信用代码号段")
