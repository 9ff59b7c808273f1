"""The audit trail: every action recorded, any change to history detected, no global lock."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, delete, func, select, text, update
from sqlalchemy.orm import Session

from engine import services
from kernel import audit
from kernel.audit import GENESIS, checkpoint, event_hash, verify_chain
from kernel.db import utcnow
from kernel.records import AuditCheckpoint, AuditEvent, AuditHead
from onestop.bootstrap import Platform
from onestop.cli import main
from tests.engine.helpers import DEMO, DEPARTMENTS, application, decide


def _run_matter(platform: Platform, actors: dict[str, Any]) -> str:
    iid = services.start(platform.ctx, actors["applicant"], process_key=DEMO, data=application())["id"]
    for dept in DEPARTMENTS:
        decide(platform.ctx, actors[dept], iid, opinion=f"{dept}：同意")
    return str(iid)


def _event(session: Session, chain: str, seq: int) -> AuditEvent:
    return session.scalars(select(AuditEvent).where(AuditEvent.chain == chain, AuditEvent.seq == seq)).one()


def test_each_action_is_one_event_with_who_what_and_status(platform: Platform, actors: dict[str, Any]) -> None:
    iid = _run_matter(platform, actors)
    history = services.get(platform.ctx, actors["admin"], iid)["history"]
    assert [e["action"] for e in history] == ["start", "submit", "complete", "complete", "complete", "complete"]
    assert [e["actor"] for e in history[2:]] == list(DEPARTMENTS)
    assert history[-1]["status_before"] == "running" and history[-1]["status_after"] == "completed"
    assert history[-1]["opinion"] == "caizheng：同意"
    assert [e["seq"] for e in history] == sorted(e["seq"] for e in history)
    with platform.ctx.transaction() as session:
        assert [e.seq for e in session.scalars(select(AuditEvent).where(AuditEvent.chain == f"matter:{iid}"))] == [
            1,
            2,
            3,
            4,
            5,
            6,
        ]
        assert verify_chain(session).ok


def test_a_look_goes_to_the_actors_chain_and_leaves_the_matters_head_alone(
    platform: Platform, actors: dict[str, Any]
) -> None:
    iid = _run_matter(platform, actors)
    with platform.ctx.transaction() as session:
        before = session.get_one(AuditHead, f"matter:{iid}").seq
        audit.access(session, actor="danganguan", action="archive_view", instance_id=iid, status="completed")
    with platform.ctx.transaction() as session:
        assert session.get_one(AuditHead, f"matter:{iid}").seq == before
        look = session.scalars(select(AuditEvent).where(AuditEvent.action == "archive_view")).one()
        assert look.chain == "actor:danganguan" and look.instance_id == iid
        assert verify_chain(session).ok
    assert "archive_view" in [e["action"] for e in services.get(platform.ctx, actors["admin"], iid)["history"]]


Tamper = Callable[[Session, str], None]


def _change_opinion(session: Session, chain: str) -> None:
    session.execute(update(AuditEvent).where(AuditEvent.chain == chain, AuditEvent.seq == 3).values(opinion="篡改"))


def _delete_middle(session: Session, chain: str) -> None:
    session.execute(delete(AuditEvent).where(AuditEvent.chain == chain, AuditEvent.seq == 3))


def _swap_two(session: Session, chain: str) -> None:
    """Reorder: the 3rd and 4th links trade places (positions renumbered to look contiguous)."""
    third, fourth = _event(session, chain, 3), _event(session, chain, 4)
    third.seq, fourth.seq = -3, -4
    session.flush()
    third.seq, fourth.seq = 4, 3


def _truncate_tail(session: Session, chain: str) -> None:
    session.execute(delete(AuditEvent).where(AuditEvent.chain == chain, AuditEvent.seq == 6))


def _truncate_and_fix_head(session: Session, chain: str) -> None:
    """A careful attacker also rewinds the head row: the checkpoint still has the sealed link."""
    fifth = _event(session, chain, 5)
    session.execute(delete(AuditEvent).where(AuditEvent.chain == chain, AuditEvent.seq == 6))
    session.execute(update(AuditHead).where(AuditHead.chain == chain).values(seq=5, hash=fifth.hash))


def _drop_chain_and_head(session: Session, chain: str) -> None:
    session.execute(delete(AuditEvent).where(AuditEvent.chain == chain))
    session.execute(delete(AuditHead).where(AuditHead.chain == chain))


def _rewrite_and_rehash(session: Session, chain: str) -> None:
    """Rewrite the whole chain with valid links: only the sealed head gives it away."""
    prev = GENESIS
    for seq in range(1, 7):
        event = _event(session, chain, seq)
        if seq == 3:
            event.opinion = "篡改"
        event.prev_hash = prev
        event.hash = event_hash(event)
        prev = event.hash
    session.execute(update(AuditHead).where(AuditHead.chain == chain).values(hash=prev))


def _delete_checkpoint(session: Session, chain: str) -> None:
    session.execute(delete(AuditCheckpoint).where(AuditCheckpoint.id == 1))


def _edit_checkpoint_heads(session: Session, chain: str) -> None:
    sealed = session.get_one(AuditCheckpoint, 1)
    sealed.heads = [h for h in sealed.heads if h[0] != chain]


@pytest.mark.parametrize(
    ("tamper", "sealed", "at_event"),
    [
        (_change_opinion, False, 3),
        (_delete_middle, False, 4),
        (_swap_two, False, 4),  # the 4th link, now in 3rd place, does not follow the 2nd
        (_truncate_tail, False, None),
        (_truncate_and_fix_head, True, None),
        (_drop_chain_and_head, True, None),
        (_rewrite_and_rehash, True, None),
        (_delete_checkpoint, True, None),
        (_edit_checkpoint_heads, True, None),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_tampering_is_found(
    platform: Platform, actors: dict[str, Any], tamper: Tamper, sealed: bool, at_event: int | None
) -> None:
    iid = _run_matter(platform, actors)
    _run_matter(platform, actors)  # another matter, untouched
    chain = f"matter:{iid}"
    with platform.ctx.transaction() as session:
        if sealed:
            assert checkpoint(session) is not None
        first_ids = {e.seq: e.id for e in session.scalars(select(AuditEvent).where(AuditEvent.chain == chain))}
        tamper(session, chain)
    with platform.ctx.transaction() as session:
        report = verify_chain(session)
    assert not report.ok
    assert report.broken_at == (first_ids[at_event] if at_event else None)
    assert report.broken_chain in (chain, None)
    assert report.reason and any("\u4e00" <= ch <= "\u9fff" for ch in report.reason)


def test_checkpoints_seal_only_the_heads_that_moved(platform: Platform, actors: dict[str, Any]) -> None:
    first = _run_matter(platform, actors)
    with platform.ctx.transaction() as session:
        one = checkpoint(session)
        assert one is not None and f"matter:{first}" in [h[0] for h in one.heads]
        assert checkpoint(session) is None  # nothing moved since
    second = _run_matter(platform, actors)
    with platform.ctx.transaction() as session:
        two = checkpoint(session)
        assert two is not None and two.prev_hash == one.hash
        assert [h[0] for h in two.heads if h[0].startswith("matter:")] == [f"matter:{second}"]
        report = verify_chain(session)
    assert report.ok and report.checkpoints == 2 and report.chains >= 2


def test_events_written_before_chains_still_verify(sqlite_platform: Platform) -> None:
    """The chain "" keeps the original canonical form (no chain field) and its hashes."""
    with sqlite_platform.ctx.transaction() as session:
        links = [GENESIS]
        for seq in (1, 2):
            event = AuditEvent(
                chain="", seq=seq, actor="admin", action="deploy", details={}, prev_hash=links[-1], created_at=utcnow()
            )
            event.hash = event_hash(event)
            session.add(event)
            links.append(event.hash)
        session.add(AuditHead(chain="", seq=2, prev_hash=links[1], hash=links[2]))
    with sqlite_platform.ctx.transaction() as session:
        assert verify_chain(session).ok
        session.execute(update(AuditEvent).where(AuditEvent.chain == "", AuditEvent.seq == 1).values(actor="x"))
    with sqlite_platform.ctx.transaction() as session:
        assert verify_chain(session).broken_chain == ""


@pytest.mark.postgres
def test_appends_to_different_matters_never_wait_for_each_other(pg_platform_url: str) -> None:
    """One transaction holds matter A's head; matter B and A's readers go on, A's next writer waits."""
    engine = create_engine(pg_platform_url)
    holder = Session(engine)
    audit.record(holder, actor="bianban", action="complete", instance_id="a" * 36)
    holder.flush()  # A's head row is now locked until ``holder`` ends

    def append(instance_id: str, results: list[str]) -> None:
        with Session(engine) as session:
            session.execute(text("SET lock_timeout = '1s'"))
            try:
                audit.record(session, actor="zuzhi", action="complete", instance_id=instance_id)
                audit.access(session, actor="danganguan", action="archive_view", instance_id="a" * 36)
                session.commit()
                results.append("done")
            except Exception as exc:
                results.append(type(getattr(exc, "orig", exc)).__name__)

    other: list[str] = []
    same: list[str] = []
    for instance_id, results in (("b" * 36, other), ("a" * 36, same)):
        worker = threading.Thread(target=append, args=(instance_id, results))
        worker.start()
        worker.join(10)
    holder.commit()
    holder.close()
    assert other == ["done"]
    assert same == ["LockNotAvailable"]
    with Session(engine) as session:
        assert verify_chain(session).ok
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 3
    engine.dispose()


def test_cli_audit_verify_exit_codes(
    sqlite_platform: Platform, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import actors_of

    iid = _run_matter(sqlite_platform, actors_of(sqlite_platform))
    monkeypatch.setenv("DATABASE_URL", sqlite_platform.settings.effective_database_url)
    data_dir = str(Path(sqlite_platform.settings.data_dir))
    assert main(["audit", "checkpoint", "--data-dir", data_dir]) == 0
    assert json.loads(capsys.readouterr().out)["checkpoint"] == 1
    assert main(["audit", "verify", "--data-dir", data_dir]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True and out["events"] == 6 and out["checkpoints"] == 1
    with sqlite_platform.ctx.transaction() as session:
        second = _event(session, f"matter:{iid}", 2)
        second.action = "withdraw"
        second_id = second.id
    assert main(["audit", "verify", "--data-dir", data_dir]) == 1
    out = json.loads(capsys.readouterr().out)
    assert {k: out[k] for k in ("ok", "events", "broken_at", "broken_chain")} == {
        "ok": False,
        "events": 6,
        "broken_at": second_id,
        "broken_chain": f"matter:{iid}",
    }
