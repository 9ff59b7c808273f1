"""A bounded schemathesis run against the ASGI app with every check: no server error,
responses that match the OpenAPI document (status codes, content types, headers,
schemas), schema-invalid requests refused, authentication never ignored.

Every operation gets up to ``EXAMPLES`` generated cases (valid and invalid
ones; ``ONESTOP_FUZZ_EXAMPLES`` sets more for a deeper run), authenticated
as an approver and as an applicant. Path parameters are either generated or
taken from real objects (a running matter with an attachment, its bianban
task, an incident) so that the handlers get past the 404 into validation and
the workflow. Derandomized: CI replays the same cases.

One check is left out, on purpose: ``positive_data_acceptance`` expects every
schema-valid request to be accepted, but the document cannot state the
platform's business rules (a process's own form, the content of a file, the
state of a task, characters a database cannot store), which rightly refuse
schema-valid requests with 4xx.
"""

from __future__ import annotations

import collections
import os
import uuid
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance
from sqlalchemy import select

from kernel.accounts import User, issue_token
from kernel.records import Incident, Notification
from onestop.bootstrap import Platform, build_app
from tests.api.helpers import PDF_BYTES, PROCESS_KEY, REVIEW_DEPARTMENTS, open_task, start, start_multipart
from tests.conftest import Api, api_for

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("ONESTOP_FUZZ_EXAMPLES", "30"))
EXCLUDED_CHECKS = [positive_data_acceptance]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


def _token(platform: Platform, username: str) -> str:
    """A bearer token issued directly (no password hashing per case)."""
    with platform.ctx.transaction() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        return issue_token(session, user=user, ttl=timedelta(hours=1))


def _real_objects(platform: Platform) -> dict[str, list[Any]]:
    api: Api = next(api_for(platform))
    with_file = start_multipart(api, [("申请书.pdf", PDF_BYTES, "application/pdf")]).json()
    plain = start(api)["id"]
    with platform.ctx.transaction() as session:
        session.add(Incident(instance_id=plain, source="outbox", error_type="ConnectionError", message="fuzz"))
    with platform.ctx.transaction() as session:
        incident_id = session.scalars(select(Incident.id)).one()
    api.run_worker()  # the new tasks' notifications
    with platform.ctx.reading() as session:
        notification_ids = list(session.scalars(select(Notification.id).limit(3)))
    instance_ids = [with_file["id"], plain]
    return {
        "instance_id": instance_ids,
        "task_id": [open_task(api, i, d)["id"] for i in instance_ids for d in REVIEW_DEPARTMENTS[:2]],
        "sha256": [with_file["data"]["application"]["attachments"][0]["sha256"]],
        "incident_id": [incident_id],
        "key": [PROCESS_KEY],
        "kind": ["uscc", "ric", "orgcode", "units", "quotas", "persons"],
        "code": ["demo-unit-001", "demo-unit-003"],
        "year": [2026, 2027],
        "day": ["2026-02-14", "2027-01-01"],
        "document_id": [str(uuid.uuid4())],
        "record_id": [1, 2],
        "notification_id": notification_ids,
        "source": ["payroll", "hr"],
        "run_id": [1],
    }


def _allowed(operation: Any, name: str, values: list[Any]) -> list[Any]:
    """The real values the parameter's schema allows (``kind`` is an enum on some operations)."""
    parameter = next(p for p in operation.path_parameters if p.name == name)
    enum = (getattr(parameter, "definition", {}) or {}).get("schema", {}).get("enum")
    return [v for v in values if enum is None or v in enum] or values


def _strategy(operation: Any, real: dict[str, list[Any]]) -> st.SearchStrategy[Any]:
    generated = [operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)]
    names = [p.name for p in operation.path_parameters]
    if not names:
        return st.one_of(generated)
    with_real = st.fixed_dictionaries({n: st.sampled_from(_allowed(operation, n, real[n])) for n in names}).flatmap(
        lambda params: operation.as_strategy(GenerationMode.POSITIVE, path_parameters=params)
    )
    return st.one_of([*generated, with_real])


@pytest.mark.parametrize("username", ["bianban", "applicant"])
def test_no_server_errors(sqlite_platform: Platform, username: str) -> None:
    real = _real_objects(sqlite_platform)
    schema = schemathesis.openapi.from_asgi("/openapi.json", build_app(sqlite_platform))
    token = _token(sqlite_platform, username)
    calls: collections.Counter[str] = collections.Counter()
    failures: list[str] = []

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 69
    for operation in operations:

        @FUZZ_SETTINGS
        @given(case=_strategy(operation, real))
        def run(case: Any) -> None:
            # Logging out revokes the token: that operation gets a fresh one every time.
            bearer = _token(sqlite_platform, username) if case.path.endswith("/logout") else token
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {bearer}"}
            response = case.call()
            calls[case.operation.label] += 1
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {case.as_curl_command()}\n{response.text[:300]}")
            case.validate_response(response, excluded_checks=EXCLUDED_CHECKS)

        try:
            run()
        except BaseException as exc:  # a failure group; keep fuzzing the other operations, report all at the end
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:800]}")

    assert failures == [], "\n\n".join(failures)
    assert set(calls) == {op.label for op in operations}, "every operation must have been exercised"
    print(f"\nschemathesis ({username}): {len(operations)} operations, {sum(calls.values())} requests, 0 failures")
    # An operation that takes any input is tried many times (one without input has one request to make).
    varied = [op.label for op in operations if calls[op.label] > 1]
    assert len(varied) > len(operations) / 2 and all(calls[label] >= 20 for label in varied)
