"""Credit-code issuance: valid codes, race-free and gap-free under concurrency."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from forms.identifiers import check_uscc
from onestop.bootstrap import Platform
from registry.credit_codes import issue_credit_code, uscc_check_char
from registry.models import CodeBlock, IssuedCode


def test_check_character_matches_the_domain_vectors() -> None:
    assert uscc_check_char("12141002MB1234562") == "N"
    assert uscc_check_char("12100000400000624") == "D"


def test_hundred_concurrent_issuances_are_distinct_valid_and_gap_free(platform: Platform) -> None:
    ctx = platform.ctx
    barrier = threading.Barrier(8)

    def issue(i: int) -> str:
        if i < 8:
            barrier.wait()
        with ctx.transaction() as session:
            return issue_credit_code(session, authority="1", category="2", region_code="141002", unit_id=None).code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(issue, range(100)))
    assert len(set(codes)) == 100
    assert all(check_uscc(code).valid for code in codes)
    with ctx.reading() as session:
        seqs = sorted(session.scalars(select(IssuedCode.seq)))
        block = session.scalars(select(CodeBlock).where(CodeBlock.category == "2")).one()
        assert seqs == list(range(block.first_seq, block.first_seq + 100))
        assert block.next_seq == block.first_seq + 100
