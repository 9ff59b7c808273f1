"""The demo and sample data state true facts: every credit code and ID number
passes the platform's own validators, a unit has one name everywhere, and every
form's example still posts on a fresh demo."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from documents.samples import SAMPLE_UNIT, sample_facts
from forms.identifiers import check_ric, check_uscc
from onestop.bootstrap import Platform, build_app, build_platform, deploy_processes
from onestop.demo import ACCOUNTS, DEMO_PASSWORD, seed_demo
from onestop.demo_matters import seed_finished_matters
from onestop.settings import Settings
from processes import catalogue as matters
from registry.models import Person, Unit
from tests.seasons import filled, in_season

CODE_KEYS = ("credit_code", "code")
ID_KEYS = ("id_number", "representative_id")


def codes_and_ids(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """("uscc" | "ric", value) for every credit code and ID number in a nested structure."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from codes_and_ids(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from codes_and_ids(item, key)
    elif isinstance(value, str) and key in CODE_KEYS and len(value) == 18:
        yield "uscc", value
    elif isinstance(value, str) and key in ID_KEYS:
        yield "ric", value


def invalid(found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    check = {"uscc": check_uscc, "ric": check_ric}
    return [(kind, value) for kind, value in found if not check[kind](value).valid]


def examples() -> dict[str, dict[str, Any]]:
    registry = matters.load().forms()
    found = {}
    for key in sorted(registry.keys()):
        form = registry.get(key)
        assert form is not None
        for i, example in enumerate(form.schema.get("examples", [])):
            found[f"{key}[{i}]"] = example
    return found


def test_every_example_and_sample_states_valid_codes() -> None:
    found = [f for example in examples().values() for f in codes_and_ids(example)]
    catalogue = matters.load()
    every = catalogue.document_kinds().values()
    found += [f for kind in every for f in codes_and_ids(sample_facts(kind, date(2026, 12, 3), catalogue.forms()))]
    assert {kind for kind, _ in found} == {"uscc", "ric"} and len(found) > 10
    assert invalid(found) == []


def test_the_validators_catch_what_this_test_walks() -> None:
    """The walk is not vacuous: the sample code issue 11 found (…0011X) and a bad ID are caught."""
    assert invalid([("uscc", "11141002MB0000011X"), ("ric", "110105194912310021")]) == [
        ("uscc", "11141002MB0000011X"),
        ("ric", "110105194912310021"),
    ]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """The embedded default as ``serve --demo`` leaves it: demo register, accounts and finished matters."""
    folder: Path = tmp_path_factory.mktemp("demo")
    platform = build_platform(Settings(ONESTOP_DATA_DIR=folder))
    deploy_processes(platform)
    with platform.ctx.transaction() as session:
        seed_demo(session)
    assert len(seed_finished_matters(platform)) == 11
    yield platform
    platform.close()


def test_the_demo_register_and_accounts_agree(demo: Platform) -> None:
    with demo.ctx.reading() as session:
        units = {u.code: u.name for u in session.scalars(select(Unit))}
        codes = [("uscc", c) for c in session.scalars(select(Unit.credit_code)) if c]
        ids = [("ric", n) for n in session.scalars(select(Person.id_number))]
    assert len(codes) >= 2 and len(ids) >= 10 and invalid(codes + ids) == []
    # A clerk's account names the person and belongs to a unit of the register (pages show the unit's name
    # from there); the document samples use the register's name too.
    for _username, display, roles, _departments, unit in ACCOUNTS:
        if "applicant" in roles:
            assert str(unit) in units and units[str(unit)] not in display and 2 <= len(display) <= 4
    assert SAMPLE_UNIT["unit_name"] == units[SAMPLE_UNIT["unit_code"]]
    with demo.ctx.reading() as session:
        sample_code = session.scalars(select(Unit.credit_code).where(Unit.code == SAMPLE_UNIT["unit_code"])).one()
    assert SAMPLE_UNIT["credit_code"] == sample_code


def test_every_example_posts_on_a_fresh_demo(demo: Platform) -> None:
    with TestClient(build_app(demo), raise_server_exceptions=False) as client:

        def signed_in() -> dict[str, str]:
            token = client.post("/api/v1/auth/token", data={"username": "applicant", "password": DEMO_PASSWORD})
            return {"Authorization": f"Bearer {token.json()['access_token']}"}

        auth = signed_in()
        posted = {}
        for process in client.get("/api/v1/processes", headers=auth).json():
            key = process["key"]
            if process["opened_by_department"]:
                refused = client.post("/api/v1/instances", headers=auth, json={"process_key": key, "data": {}})
                assert refused.status_code == 409 and refused.json()["code"] == "opened_by_department"
                continue
            form = client.get(f"/api/v1/processes/{key}/form", headers=auth).json()
            with in_season(key):
                now = signed_in()
                for i, example in enumerate(form["examples"]):
                    body = {"process_key": key, "data": filled(demo, key, example)}
                    answer = client.post("/api/v1/instances", headers=now, json=body)
                    posted[f"{key}[{i}]"] = (
                        answer.status_code,
                        answer.json().get("message"),
                        answer.json().get("details"),
                    )
    assert len(posted) >= 6 and all(status == 201 for status, _, _ in posted.values()), posted
