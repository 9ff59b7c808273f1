"""Process use cases: deploy, list, the start form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from SpiffWorkflow.task import TaskState

from engine.context import EngineContext
from engine.definitions import DeployResult, deploy_directory, deploy_file, latest_definition, latest_definitions
from forms.registry import Form
from kernel import audit
from kernel.actors import Actor
from kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed


def deploy(ctx: EngineContext, actor: Actor, path: Path) -> list[DeployResult]:
    if not actor.is_admin:
        raise Forbidden("admin_only", "只有管理员可以部署流程")
    with ctx.transaction() as session:
        results = (
            deploy_directory(session, path, deployed_by=actor.username)
            if path.is_dir()
            else deploy_file(session, path, deployed_by=actor.username)
        )
        for result in results:
            if result.created:
                _check_forms(ctx, session, result.key)
                audit.record(
                    session,
                    actor=actor.username,
                    action="deploy",
                    details={"key": result.key, "version": result.version, "sha256": result.sha256},
                )
        return results


def _check_forms(ctx: EngineContext, session: Any, key: str) -> None:
    compiled = ctx.specs.get(session, latest_definition(session, key).id)
    missing = sorted({t.form_key for t in compiled.user_tasks.values() if t.form_key and not ctx.forms.get(t.form_key)})
    if missing:
        raise ValidationFailed("form_not_found", f"流程 {key} 引用了不存在的表单：{'、'.join(missing)}")


def list_processes(ctx: EngineContext) -> list[dict[str, Any]]:
    with ctx.reading() as session:
        opened = set(ctx.opened_for.values())
        return [
            {"key": d.key, "version": d.version, "name": d.name, "opened_by_department": d.key in opened}
            for d in latest_definitions(session)
        ]


def process_detail(ctx: EngineContext, actor: Actor, key: str) -> tuple[dict[str, Any], str]:
    """An administrator's view of a process's latest version: its facts and its BPMN."""
    if not actor.is_admin:
        raise Forbidden("admin_only", "只有管理员可以查看流程定义")
    with ctx.reading() as session:
        definition = latest_definition(session, key)
        facts = {
            "key": definition.key,
            "name": definition.name,
            "version": definition.version,
            "sha256": definition.sha256,
            "deployed_at": definition.deployed_at,
        }
        return facts, definition.bpmn_xml


def refuse_opened(ctx: EngineContext, key: str) -> None:
    """A matter a department opens for a unit (``open_for_unit``) is not started by anyone."""
    if key in ctx.opened_for.values():
        raise Conflict("opened_by_department", "该事项由主管部门向单位下达，单位不能自行发起")


def start_form(ctx: EngineContext, key: str) -> dict[str, Any]:
    """The JSON Schema of the process's first applicant task."""
    return first_form(ctx, key).schema


def first_form(ctx: EngineContext, key: str) -> Form:
    """The form of the process's first applicant task (of a matter a department opens for a unit:
    of the unit's step, which needs what the opener gives before the process can reach it)."""
    with ctx.reading() as session:
        compiled = ctx.specs.get(session, latest_definition(session, key).id)
    if key in ctx.opened_for.values():
        first = next((t for t in compiled.user_tasks.values() if t.is_applicant_task), None)
    else:
        workflow = ctx.store.new(compiled).workflow
        workflow.do_engine_steps()
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        first = compiled.user_tasks.get(ready[0].task_spec.name) if len(ready) == 1 else None
    form = ctx.forms.get(first.form_key) if first and first.form_key else None
    if form is None:
        raise NotFound("form_not_found", f"流程“{key}”没有申请表单")
    return form
