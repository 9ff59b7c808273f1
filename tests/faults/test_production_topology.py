"""The production topology under faults: processes killed with -9, S3 slow and away, the
database gone. Started from ``deploy/Procfile``: one API with two worker processes, two
workers, one beat, on PostgreSQL, Redis and SeaweedFS (S3 and the database behind proxies).

What must hold: no approval lost or doubled, no matter stuck; 文号 and 档号 without gaps;
the audit trail verifies; approvals stay fast while S3 is slow or away, and archiving
catches up by itself; a database that is gone gives clear 503s within the timeouts.
"""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import redis
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from archive.models import ArchiveRecord
from engine.models import Instance, Task
from kernel.audit import verify_chain
from kernel.records import AuditEvent, Incident, OutboxMessage
from processes import catalogue as matters
from tests.conftest import PG_URL, _pg_copy
from tests.demo_server import free_port
from tests.faults.proxy import DOWN, SLOW, UP, FaultProxy
from tests.faults.topology import Topology, environment
from tests.seaweedfs import S3Server

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.real_clock]

PROCESS = "demo_cross_department"
DEPARTMENTS = ("bianban", "zuzhi", "renshe", "caizheng")
PASSWORD = "onestop-demo"
BROKER_DB = 13


@dataclass
class Platform:
    topology: Topology
    database_url: str  # direct, for the test's own checks
    db_proxy: FaultProxy
    s3_proxy: FaultProxy

    def session(self) -> Session:
        return Session(create_engine(self.database_url, pool_size=1))


@pytest.fixture(scope="module")
def production(pg_template: str, s3_server: S3Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    root = tmp_path_factory.mktemp("production")
    (root / "logs").mkdir()
    redis.Redis(db=BROKER_DB).flushdb()
    database = _pg_copy(pg_template)
    direct_url = next(database)
    name = direct_url.rsplit("/", 1)[1]
    s3_port = int(s3_server.endpoint.rsplit(":", 1)[1])
    with FaultProxy(5432) as db_proxy, FaultProxy(s3_port, delay=1.0) as s3_proxy:
        env = environment(
            DATABASE_URL=PG_URL.replace("5432", str(db_proxy.port)).format(name=name),
            BROKER_URL=f"redis://127.0.0.1:6379/{BROKER_DB}",
            ONESTOP_DATA_DIR=str(root / "data"),
            ONESTOP_ARCHIVE_S3_ENDPOINT=f"127.0.0.1:{s3_proxy.port}",
            ONESTOP_ARCHIVE_S3_ACCESS_KEY=s3_server.access_key,
            ONESTOP_ARCHIVE_S3_SECRET_KEY=s3_server.secret_key,
            ONESTOP_ARCHIVE_S3_BUCKET=f"faults-{uuid.uuid4().hex[:10]}",
            ONESTOP_ARCHIVE_S3_SECURE="false",
            ONESTOP_DB_CONNECT_TIMEOUT="2",
            ONESTOP_S3_CONNECT_TIMEOUT="1",
            ONESTOP_S3_READ_TIMEOUT="5",
            ONESTOP_S3_RETRIES="0",
        )
        topology = Topology(env, free_port(), root / "logs")
        try:
            topology.start_all()
            yield Platform(topology, direct_url, db_proxy, s3_proxy)
        finally:
            topology.stop_all()
            next(database, None)


@dataclass
class Desk:
    """The users at their desks: each call retried over lost connections with its idempotency key."""

    base_url: str
    latencies: list[float] = field(default_factory=list)
    retried: int = 0
    _tokens: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30)

    def token(self, user: str) -> str:
        if user not in self._tokens:
            answer = self.call("POST", "/api/v1/auth/token", None, data={"username": user, "password": PASSWORD})
            self._tokens[user] = answer.json()["access_token"]
        return self._tokens[user]

    def call(self, method: str, path: str, user: str | None, key: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token(user)}"} if user else {}
        if key:
            headers["Idempotency-Key"] = key
        for _ in range(240):
            started = time.perf_counter()
            try:
                with self._client() as client:
                    answer = client.request(method, path, headers=headers, **kwargs)
            except httpx.TransportError:  # the API worker died under this request: ask again, same key
                self._note_retry()
                time.sleep(0.25)
                continue
            is_json = answer.headers.get("content-type", "").startswith("application/json")
            code = answer.json().get("code") if is_json else None
            if answer.status_code >= 500 or code == "idempotency_request_in_progress":
                self._note_retry()
                time.sleep(0.25)
                continue
            if key:
                with self._lock:
                    self.latencies.append(time.perf_counter() - started)
            return answer
        raise AssertionError(f"{method} {path} never answered")

    def _note_retry(self) -> None:
        with self._lock:
            self.retried += 1

    def run_matter(self, label: str) -> str:
        started = self.call(
            "POST",
            "/api/v1/instances",
            "applicant",
            key=f"start-{label}",
            json={"process_key": PROCESS, "data": _application(label)},
        )
        assert started.status_code == 201, started.text
        instance_id = str(started.json()["id"])
        for department in DEPARTMENTS:
            detail = self.call("GET", f"/api/v1/instances/{instance_id}", "admin").json()
            [task] = [t for t in detail["tasks"] if t["department"] == department]
            done = self.call(
                "POST",
                f"/api/v1/tasks/{task['id']}/complete",
                department,
                key=f"complete-{label}-{department}",
                json={"decision": "approve", "opinion": "同意", "data": {}},
            )
            # 200, or the first answer lost with the process that gave it: done, not to be redone.
            assert done.status_code == 200 or done.json()["code"] == "idempotency_already_done", done.text
        return instance_id


def _application(label: str) -> dict[str, Any]:

    form = matters.load().forms().get("demo_application")
    assert form is not None
    return {**form.schema["examples"][0], "summary": f"故障演练事项 {label}：申请核增事业编制。"}


def _run(desk: Desk, labels: list[str], threads: int = 2) -> list[str]:
    results: list[str] = []
    lock = threading.Lock()

    def work(mine: list[str]) -> None:
        for label in mine:
            instance_id = desk.run_matter(label)
            with lock:
                results.append(instance_id)

    workers = [threading.Thread(target=work, args=(labels[i::threads],)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(600)
    assert len(results) == len(labels)
    return results


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def _archived(platform: Platform, instance_ids: list[str]) -> bool:
    with platform.session() as session:
        dossiers = session.scalar(
            select(func.count()).select_from(ArchiveRecord).where(ArchiveRecord.dossier_of.in_(instance_ids))
        )
        return dossiers == len(instance_ids)


def _assert_nothing_lost_doubled_or_stuck(platform: Platform, instance_ids: list[str]) -> None:
    with platform.session() as session:
        statuses = set(session.scalars(select(Instance.status).where(Instance.id.in_(instance_ids))))
        assert statuses == {"completed"}
        per_matter = session.execute(
            select(AuditEvent.instance_id, func.count())
            .where(AuditEvent.action == "complete", AuditEvent.instance_id.in_(instance_ids))
            .group_by(AuditEvent.instance_id)
        ).all()
        assert sorted(n for _, n in per_matter) == [len(DEPARTMENTS)] * len(instance_ids)  # none lost, none doubled
        completed = session.scalar(
            select(func.count()).select_from(Task).where(Task.instance_id.in_(instance_ids), Task.state == "completed")
        )
        assert completed == len(instance_ids) * (len(DEPARTMENTS) + 1)  # the submission and four approvals
        assert session.scalar(select(func.count()).select_from(Incident)) == 0
        stuck = session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != "done"))
        assert stuck == 0
        codes = sorted(session.scalars(select(ArchiveRecord.archival_code)))
        numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
        assert numbers == list(range(1, len(numbers) + 1))  # 档号 without gaps
        report = verify_chain(session)
        assert report.ok, report


def test_kill_9_of_an_api_worker_and_a_worker_loses_and_doubles_nothing(production: Platform) -> None:
    topology = production.topology
    desk = Desk(topology.base_url)
    labels = [f"k{i:02d}" for i in range(10)]
    done: list[str] = []
    runner = threading.Thread(target=lambda: done.extend(_run(desk, labels)))
    runner.start()
    topology.wait_until(lambda: len(desk.latencies) >= 8, 120, "the first approvals")
    [victim, *_] = topology.api_worker_pids()
    import os
    import signal

    os.kill(victim, signal.SIGKILL)  # an API worker process, mid-run
    topology.kill("worker1")  # a worker, mid-run
    time.sleep(2)
    topology.start("worker1", "worker")
    runner.join(600)
    assert len(done) == len(labels), topology.log_tail()
    topology.wait_until(lambda: len(topology.api_worker_pids()) == 2, 60, "the API supervisor to replace its worker")
    topology.wait_until(lambda: _archived(production, done), 180, "the matters to be archived")
    topology.wait_until(lambda: _outbox_done(production), 60, "the outbox to empty")
    _assert_nothing_lost_doubled_or_stuck(production, done)


def _outbox_done(platform: Platform) -> bool:
    with platform.session() as session:
        return not session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != "done"))


def test_approvals_ignore_a_slow_or_absent_s3_and_archiving_catches_up(production: Platform) -> None:
    topology = production.topology
    normal = Desk(topology.base_url)
    before = _run(normal, [f"n{i:02d}" for i in range(6)])
    p95_normal = _p95(normal.latencies)

    production.s3_proxy.set(SLOW)  # every request to S3 held back a second
    slow = Desk(topology.base_url)
    during_slow = _run(slow, [f"s{i:02d}" for i in range(6)])
    production.s3_proxy.set(UP)

    production.s3_proxy.set(DOWN)
    outage_started = time.monotonic()
    away = Desk(topology.base_url)
    during_outage = _run(away, [f"d{i:02d}" for i in range(6)])
    ready = httpx.get(f"{topology.base_url}/readyz", timeout=10)
    assert ready.status_code == 503 and ready.json()["checks"]["archive"]["ok"] is False
    time.sleep(max(0.0, 60 - (time.monotonic() - outage_started)))  # S3 stays away a full minute
    assert not _archived(production, during_outage)
    production.s3_proxy.set(UP)

    every = before + during_slow + during_outage
    topology.wait_until(lambda: _archived(production, every), 180, "archiving to catch up on its own")
    topology.wait_until(lambda: _outbox_done(production), 60, "the outbox to empty")
    print(
        f"approval p95: normal {p95_normal * 1000:.0f} ms, S3 slow {_p95(slow.latencies) * 1000:.0f} ms, "
        f"S3 away {_p95(away.latencies) * 1000:.0f} ms"
    )
    limit = max(2 * p95_normal, p95_normal + 0.1)  # within 2x (a 100 ms floor for a machine's noise)
    assert _p95(slow.latencies) <= limit
    assert _p95(away.latencies) <= limit
    _assert_nothing_lost_doubled_or_stuck(production, every)


def test_a_database_that_is_gone_gives_clear_503s_within_the_timeouts(production: Platform) -> None:
    topology = production.topology
    desk = Desk(topology.base_url)
    desk.token("applicant")
    production.db_proxy.set(DOWN)
    try:
        started = time.monotonic()
        answer = httpx.post(
            f"{topology.base_url}/api/v1/instances",
            headers={"Authorization": f"Bearer {desk.token('applicant')}"},
            json={"process_key": PROCESS, "data": _application("db-down")},
            timeout=30,
        )
        took = time.monotonic() - started
        assert answer.status_code == 503 and answer.json()["code"] == "database_unavailable", answer.text
        assert took < 2 * 2 + 1  # within the connect timeout (2 s), for a retry of the pool at most
        ready = httpx.get(f"{topology.base_url}/readyz", timeout=30)
        assert ready.status_code == 503 and ready.json()["checks"]["database"]["ok"] is False
    finally:
        production.db_proxy.set(UP)
    beat = topology.processes["beat"]
    if beat.poll() is not None:  # it saw its lock's connection go: it stopped, for its supervisor to restart
        assert beat.returncode == 3, topology.log_tail()
        topology.start("beat", "beat")
    recovered = desk.run_matter("after-db")  # the API and the workers carry on without a restart
    topology.wait_until(lambda: _archived(production, [recovered]), 120, "the matter after the outage")
