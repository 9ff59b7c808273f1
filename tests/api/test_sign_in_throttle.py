"""Wrong passwords slow the guesser down: per account and per client address, doubling,
audited, told to the user with the time to retry, and lifted by an administrator."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from kernel import clock
from kernel.audit import AuditEvent
from kernel.throttle import ACCOUNT, ADDRESS
from onestop.bootstrap import Platform
from onestop.cli import main
from onestop.demo import DEMO_PASSWORD
from tests.conftest import Api
from tests.web.test_pages import HTML, browser, csrf_of, log_in


def _token(api: Api, username: str, password: str) -> tuple[int, dict[str, object], dict[str, str]]:
    answer = api.client.post("/api/v1/auth/token", data={"username": username, "password": password})
    return answer.status_code, answer.json(), dict(answer.headers)


def _actions(platform: Platform, *actions: str) -> list[tuple[str, str]]:
    with platform.ctx.reading() as session:
        rows = session.execute(
            select(AuditEvent.actor, AuditEvent.action).where(AuditEvent.action.in_(actions)).order_by(AuditEvent.id)
        ).all()
    return [(row.actor, row.action) for row in rows]


def test_thirty_wrong_passwords_then_the_right_one_is_not_let_in(sqlite_api: Api, sqlite_platform: Platform) -> None:
    with time_machine.travel(clock.now(), tick=False):
        codes = [_token(sqlite_api, "applicant", "wrong")[0] for _ in range(30)]
        assert codes[: ACCOUNT.free] == [401] * ACCOUNT.free  # the fifth failure locks
        assert set(codes[ACCOUNT.free :]) == {429}  # later tries are not even checked
        status, body, headers = _token(sqlite_api, "applicant", DEMO_PASSWORD)
    assert (status, body["code"]) == (429, "account_locked")
    assert "锁定" in str(body["message"]) and "后重试" in str(body["message"])
    assert 1 <= int(headers["retry-after"]) <= ACCOUNT.base
    locked = _actions(sqlite_platform, "login_locked")
    assert locked == [("applicant", "login_locked")]
    assert len(_actions(sqlite_platform, "login_failed")) == ACCOUNT.free
    assert len(_actions(sqlite_platform, "login_refused_locked")) == 26


def test_the_wait_doubles_and_a_good_sign_in_forgets(sqlite_api: Api) -> None:
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(ACCOUNT.free):
            _token(sqlite_api, "applicant", "wrong")
        first_wait = int(_token(sqlite_api, "applicant", "wrong")[2]["retry-after"])
        traveller.shift(timedelta(seconds=first_wait + 1))
        assert _token(sqlite_api, "applicant", "wrong")[0] == 401  # checked again, and wrong again
        second_wait = int(_token(sqlite_api, "applicant", DEMO_PASSWORD)[2]["retry-after"])
        assert second_wait > first_wait * 1.5
        traveller.shift(timedelta(seconds=second_wait + 1))
        assert _token(sqlite_api, "applicant", DEMO_PASSWORD)[0] == 200
        # Signed in: the failures are forgotten, the next wrong password is a plain 401.
        assert _token(sqlite_api, "applicant", "wrong")[0] == 401
        assert _token(sqlite_api, "applicant", DEMO_PASSWORD)[0] == 200


def test_one_address_spraying_many_accounts_is_slowed_down(sqlite_api: Api, sqlite_platform: Platform) -> None:
    with time_machine.travel(clock.now(), tick=False):
        codes = [_token(sqlite_api, f"guess{i}", "wrong")[0] for i in range(ADDRESS.free)]
        assert codes == [401] * ADDRESS.free
        status, body, _ = _token(sqlite_api, "applicant", DEMO_PASSWORD)
    assert (status, body["code"]) == (429, "address_locked")
    assert _actions(sqlite_platform, "login_address_locked")


def test_the_web_login_says_when_to_retry_and_the_administrator_unlocks(sqlite_platform: Platform) -> None:
    client = browser(sqlite_platform)
    with time_machine.travel(clock.now(), tick=False):
        for _ in range(ACCOUNT.free):
            form = client.get("/login", headers=HTML)
            client.post("/login", data={"username": "applicant", "password": "nope", "csrf": csrf_of(form.text)})
        form = client.get("/login", headers=HTML)
        refused = client.post(
            "/login", data={"username": "applicant", "password": DEMO_PASSWORD, "csrf": csrf_of(form.text)}
        )
        assert refused.status_code == 429 and "已暂时锁定" in refused.text and "Retry-After" in refused.headers

        admin = browser(sqlite_platform)
        log_in(admin, "admin")
        with sqlite_platform.ctx.reading() as session:
            from kernel.accounts import User

            user_id = session.scalar(select(User.id).where(User.username == "applicant"))
        account = admin.get(f"/admin/users/{user_id}", headers=HTML)
        assert "登录锁定" in account.text and "立即解除锁定" in account.text
        unlocked = admin.post(f"/admin/users/{user_id}/unlock", data={"csrf": csrf_of(account.text)})
        assert unlocked.status_code == 303
        assert "已解除登录锁定" in admin.get(unlocked.headers["location"], headers=HTML).text
        log_in(client, "applicant")
    assert ("admin", "login_unlocked") in _actions(sqlite_platform, "login_unlocked")


def test_the_command_line_unlocks_an_account(
    sqlite_api: Api, sqlite_platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = sqlite_platform.settings
    monkeypatch.setenv("DATABASE_URL", settings.effective_database_url)
    with time_machine.travel(clock.now(), tick=False):
        for _ in range(ACCOUNT.free):
            _token(sqlite_api, "applicant", "wrong")
        assert _token(sqlite_api, "applicant", DEMO_PASSWORD)[0] == 429
        args = ["--data-dir", str(settings.data_dir)]
        assert main(["user", "unlock", "applicant", *args]) == 0
        assert _token(sqlite_api, "applicant", DEMO_PASSWORD)[0] == 200
        assert main(["user", "unlock", "nobody", *args]) == 2
    assert ("system", "login_unlocked") in _actions(sqlite_platform, "login_unlocked")


def test_password_hashing_is_bounded(sqlite_api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.services import sessions

    monkeypatch.setattr(sessions, "HASHING_WAIT_SECONDS", 0.1)
    taken = [sessions._hashing.acquire(timeout=1) for _ in range(sessions.HASHING_SLOTS)]
    try:
        status, body, headers = _token(sqlite_api, "applicant", DEMO_PASSWORD)
    finally:
        for _ in taken:
            sessions._hashing.release()
    assert (status, body["code"]) == (429, "sign_in_busy") and headers["retry-after"] == "5"
    assert _token(sqlite_api, "applicant", DEMO_PASSWORD)[0] == 200


def test_counters_nobody_touched_for_two_days_are_forgotten(sqlite_api: Api, sqlite_platform: Platform) -> None:
    from kernel import throttle

    with time_machine.travel(clock.now(), tick=False) as traveller:
        for name in ("sprayed1", "sprayed2", "sprayed3"):
            _token(sqlite_api, name, "wrong")
        traveller.shift(timedelta(days=1))
        _token(sqlite_api, "sprayed3", "wrong")  # still being tried: kept
        traveller.shift(timedelta(days=1, hours=1))
        with sqlite_platform.ctx.transaction() as session:
            assert throttle.forget_stale(session) == 2  # sprayed1 and sprayed2; the address row was touched lately
        with sqlite_platform.ctx.reading() as session:
            keys = set(session.scalars(select(throttle.Throttle.key)))
    assert "sprayed3" in keys and not keys & {"sprayed1", "sprayed2"}
