"""The audit chain: every action recorded, any change to history detected."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from engine import services
from engine.audit import verify_chain
from engine.records import AuditEvent
from onestop.bootstrap import Platform
from onestop.cli import main
from tests.engine.helpers import DEMO, DEPARTMENTS, application, decide


def _run_matter(platform: Platform, actors: dict[str, Any]) -> str:
    iid = services.start(platform.ctx, actors["applicant"], process_key=DEMO, data=application())["id"]
    for dept in DEPARTMENTS:
        decide(platform.ctx, actors[dept], iid, opinion=f"{dept}：同意")
    return str(iid)


def test_each_action_is_one_event_with_who_what_and_status(platform: Platform, actors: dict[str, Any]) -> None:
    iid = _run_matter(platform, actors)
    history = services.get(platform.ctx, actors["admin"], iid)["history"]
    assert [e["action"] for e in history] == ["start", "submit", "complete", "complete", "complete", "complete"]
    assert [e["actor"] for e in history[2:]] == list(DEPARTMENTS)
    assert history[-1]["status_before"] == "running" and history[-1]["status_after"] == "completed"
    assert history[-1]["opinion"] == "caizheng：同意"
    with platform.ctx.transaction() as session:
        assert verify_chain(session).ok


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: s.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(opinion="篡改")),
        lambda s: s.execute(delete(AuditEvent).where(AuditEvent.seq == 3)),
        lambda s: s.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(actor="zuzhi")),
    ],
    ids=["changed-opinion", "deleted-event", "changed-actor"],
)
def test_tampering_is_found_at_the_first_broken_link(platform: Platform, actors: dict[str, Any], tamper: Any) -> None:
    _run_matter(platform, actors)
    with platform.ctx.transaction() as session:
        tamper(session)
    with platform.ctx.transaction() as session:
        report = verify_chain(session)
        total = len(list(session.scalars(select(AuditEvent.id))))
    assert not report.ok
    assert report.broken_at in (3, 4)  # the changed event, or the one after a deleted event
    assert report.reason and any("\u4e00" <= ch <= "\u9fff" for ch in report.reason)
    assert report.events <= total


def test_cli_audit_verify_exit_codes(
    sqlite_platform: Platform, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import actors_of

    _run_matter(sqlite_platform, actors_of(sqlite_platform))
    monkeypatch.setenv("DATABASE_URL", sqlite_platform.settings.effective_database_url)
    data_dir = str(Path(sqlite_platform.settings.data_dir))
    assert main(["audit", "verify", "--data-dir", data_dir]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    with sqlite_platform.ctx.transaction() as session:
        session.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(action="withdraw"))
    assert main(["audit", "verify", "--data-dir", data_dir]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out == {"ok": False, "events": 2, "broken_at": 2, "reason": out["reason"]}
