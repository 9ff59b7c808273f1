"""Importing the establishment register from a file (administrators only).

The whole file is one transaction: either every line is written or none.
Each attempt leaves an audit event ``import`` (kind, file, its SHA-256, the
counts, whether it was applied); a refused file's event is written in a
transaction of its own, so that refusing writes nothing else.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy.exc import IntegrityError

from engine.context import EngineContext
from kernel import audit
from kernel.actors import Actor
from kernel.errors import Conflict, Forbidden, ValidationFailed
from registry.import_files import base_name
from registry.importing import KINDS, Report, import_file


def check_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("admin_only", "只有管理员可以导入机构编制台账")


def import_register(ctx: EngineContext, actor: Actor, kind: str, filename: str, content: bytes) -> dict[str, Any]:
    """Import units, quotas or persons; the report, or ``import_rejected`` with the report as details."""
    check_admin(actor)
    if kind not in KINDS:
        raise ValidationFailed(
            "import_unknown_kind", "导入类型应为 units（单位）、quotas（编制核定数）或 persons（人员）"
        )
    attempt = {"kind": kind, "file": base_name(filename), "sha256": hashlib.sha256(content).hexdigest()}
    try:
        with ctx.transaction() as session:
            report = import_file(session, kind, filename, content, by=actor.username)
            if report.applied:
                audit.record(session, actor=actor.username, action="import", details={**attempt, **_counts(report)})
            else:
                session.rollback()  # nothing of a refused file may be committed
    except ValidationFailed as exc:  # the file as a whole: header, encoding, nothing in it
        _record_refusal(ctx, actor, {**attempt, "applied": False, "error": exc.code})
        raise
    except IntegrityError as exc:  # another writer added the same code, name or person meanwhile
        raise Conflict("import_conflict", "导入期间台账已被他人修改，未导入任何数据，请重新导入") from exc
    result = report.as_dict()
    if not report.applied:
        _record_refusal(ctx, actor, {**attempt, **_counts(report)})
        raise ValidationFailed("import_rejected", "导入文件有错误，未导入任何数据", result)
    return result


def _counts(report: Report) -> dict[str, Any]:
    return {
        "total": report.total,
        "imported": report.imported,
        "rejected": len(report.errors),
        "warnings": len(report.warnings),
        "applied": report.applied,
    }


def _record_refusal(ctx: EngineContext, actor: Actor, details: dict[str, Any]) -> None:
    with ctx.transaction() as session:
        audit.record(session, actor=actor.username, action="import", details=details)
