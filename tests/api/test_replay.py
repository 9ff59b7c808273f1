"""★ 案卷回放 through HTTP, on SQLite and PostgreSQL: a returned-and-resubmitted matter replays as
exactly its history, each frame showing where the matter stood; who may replay; the dossier
the archive keeps carries the same frames."""

from __future__ import annotations

from typing import Any

from archive import manifest
from engine.models import Instance
from tests.api.helpers import application, assert_error, decide, instance, start
from tests.conftest import Api


def _replay(api: Api, matter: str, as_user: str = "admin") -> list[dict[str, Any]]:
    answer = api.get(f"/api/v1/instances/{matter}/replay", as_user)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["frames"])


def _returned_and_resubmitted(api: Api) -> str:
    matter = start(api)["id"]
    assert decide(api, matter, "bianban", "return", "请补充编制测算").status_code == 200
    for department in ("zuzhi", "renshe", "caizheng"):
        assert decide(api, matter, department).status_code == 200
    corrected = {**application(), "summary": "补充了编制测算依据：承担全市政务数据归集共享职能。"}
    assert decide(api, matter, "applicant", "submit", data=corrected, as_user="applicant").status_code == 200
    for department in ("bianban", "zuzhi", "renshe", "caizheng"):
        assert decide(api, matter, department).status_code == 200
    return matter


def test_the_replay_of_a_returned_and_resubmitted_matter_is_its_history(api: Api) -> None:
    matter = _returned_and_resubmitted(api)
    history = instance(api, matter)["history"]
    frames = _replay(api, matter)
    assert [(f["actor"], f["action"], f["opinion"], f["status_after"]) for f in frames] == [
        (e["actor"], e["action"], e["opinion"], e["status_after"]) for e in history
    ]
    returned = next(f for f in frames if f["decision"] == "return")
    assert (returned["step"], returned["states"]["review_bianban"]) == ("编办审核", "done")
    assert returned["states"]["review_zuzhi"] == "current"  # the other departments still at work
    back = next(f for f in frames if f["status_after"] == "returned")
    assert back["states"]["submit"] == "current" and "review_bianban" in back["states"]
    first, again = [f for f in frames if f["action"] == "submit"]
    assert {c["key"] for c in first["changed"]} >= {"summary"}  # the first submission says everything
    assert again["changed"] == [
        {
            "key": "summary",
            "before": application()["summary"],
            "after": "补充了编制测算依据：承担全市政务数据归集共享职能。",
        }
    ]
    last = frames[-1]
    assert last["status_after"] == "completed" and "current" not in last["states"].values()
    assert set(last["states"]) >= {"submit", "review_bianban", "review_zuzhi", "review_renshe", "review_caizheng"}


def test_who_may_replay(api: Api) -> None:
    running = start(api)["id"]
    for user in ("applicant", "bianban"):
        assert_error(api.get(f"/api/v1/instances/{running}/replay", user), 403, "replay_forbidden")
    assert_error(api.get(f"/api/v1/instances/{running}/replay", "archivist"), 403, "replay_forbidden")
    assert_error(api.get("/api/v1/instances/no-such-matter/replay", "admin"), 404, "instance_not_found")
    finished = _returned_and_resubmitted(api)
    history = instance(api, finished)["history"]
    assert len(_replay(api, finished, "archivist")) == len(history)


def test_the_archived_dossier_carries_the_replay(api: Api) -> None:
    matter = _returned_and_resubmitted(api)
    frames = _replay(api, matter)
    with api.platform.ctx.reading() as session:
        dossier = manifest.build(session, session.get_one(Instance, matter))
    assert dossier["replay"] == frames
