"""The web pages: server-rendered Chinese pages over the same services as the API.

Plain HTML forms work without JavaScript. A refused action comes back as the
page with the Chinese message next to the field and the user's input kept;
an action the user may not take gets an error page with its HTTP status.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.bodies import ALLOWED_TYPES, store_upload
from api.deps import ApiConfig
from api.downloads import attachment_headers
from api.errors import status_of
from api.limits import human_size
from api.web import diagram, formfields, session
from engine import services
from engine.actors import ARCHIVIST, Actor
from engine.context import EngineContext
from engine.errors import DomainError, Forbidden, NotFound, Unauthorized, ValidationFailed
from engine.services import progress
from engine.services.attachments import attachment_for_download
from signatures import records
from signatures.verification import verify_pdf

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
WEB_STATIC = Path(__file__).parent / "static"
DUE_SOON = timedelta(days=2)
router = APIRouter(include_in_schema=False)

STATUS_TEXT = {
    "running": "办理中",
    "returned": "退回补正",
    "incident": "异常",
    "completed": "已办结",
    "rejected": "不予批准",
    "withdrawn": "已撤回",
    "cancelled": "已终止",
}
ROLE_TEXT = {"applicant": "申请单位经办人", "approver": "审批人员", "archivist": "档案管理员", "admin": "系统管理员"}
DECISION_TEXT = {"approve": "同意", "return": "退回补正", "reject": "不予批准", "submit": "提交"}
ACTION_TEXT = {
    "start": "发起",
    "submit": "提交申请",
    "complete": "办理",
    "claim": "签收",
    "unclaim": "退回签收",
    "withdraw": "撤回",
    "cancel": "终止",
    "incident": "发生异常",
    "retry": "异常重试",
    "document_issued": "出具文书",
    "message": "文书已出具，事项办结",
    "archive_ingest": "归档",
    "download_document": "下载文书",
    "download_attachment": "下载附件",
    "archive_view": "查阅档案",
    "archive_download": "下载档案",
}
RESULT_TEXT = {
    "committee": "编委会签成员",
    "unit": "机构登记",
    "credit_code": "统一社会信用代码",
    "domain": "中文域名",
    "vacancy": "空缺编制核查",
    "efficiency": "空缺编制使用效益率",
    "reservation": "核准使用编制通知单",
    "posts": "领导职数核查",
    "entry": "入编登记",
    "exit": "出编登记",
    "correction_notice": "一次性告知",
    "documents_due": "应出具的文书",
    "documents": "出具的文书",
}
DEPARTMENT_TEXT = {
    "applicant": "申请单位",
    "bianban": "编办",
    "zuzhi": "组织部",
    "renshe": "人社局",
    "caizheng": "财政局",
    "bianwei": "编委",
    "archives": "档案管理",
    "parallel": "并联部门",
}


def _replace_page(params: Any, number: int) -> str:
    from urllib.parse import urlencode

    return urlencode({**dict(params), "page": str(number)})


TEMPLATES.env.filters["replace_page"] = _replace_page
TEMPLATES.env.globals.update(
    status_text=STATUS_TEXT,
    role_text=ROLE_TEXT,
    decision_text=DECISION_TEXT,
    action_text=ACTION_TEXT,
    result_text=RESULT_TEXT,
    department_name=lambda code: DEPARTMENT_TEXT.get(code, code),
)


def engine_context(request: Request) -> EngineContext:
    ctx: EngineContext = request.app.state.ctx
    return ctx


def _config(request: Request) -> ApiConfig:
    config: ApiConfig = request.app.state.config
    return config


def page(request: Request, template: str, actor: Actor | None, status_code: int = 200, **values: Any) -> HTMLResponse:
    token = session.session_token(request)
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {"actor": actor, "csrf": session.csrf_for(token) if token and actor else "", **values},
        status_code=status_code,
    )


def error_page(request: Request, actor: Actor | None, error: DomainError) -> HTMLResponse:
    status = status_of(error)
    return page(request, "error.html", actor, status_code=status, error=error, status=status)


def _signed_in(request: Request) -> Actor:
    actor = session.current_actor(engine_context(request), request)
    if actor is None:
        raise Unauthorized("not_authenticated", "请先登录")
    return actor


def login_redirect(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={request.url.path}", status_code=303)


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


# -- signing in and out ---------------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse, response_model=None)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    token = session.login_csrf(request)
    shown = page(request, "login.html", None, login_csrf=token, next=_safe_next(next))
    session.set_login_csrf(request, shown, token)
    return shown


def _safe_next(target: str) -> str:
    """Only a path on this site (no "//host" or "/\\host" that a browser would read as another site)."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) and "\\" not in target else "/"


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "/")))
    try:
        session.check_login_csrf(request, str(form.get("csrf", "")))
        config = _config(request)
        token = await run_in_threadpool(
            services.login,
            engine_context(request),
            username=username,
            password=password,
            ttl=timedelta(minutes=config.token_ttl_minutes),
        )
    except DomainError as error:
        csrf = session.login_csrf(request)
        refused = page(
            request,
            "login.html",
            None,
            status_code=status_of(error),
            login_csrf=csrf,
            next=target,
            username=username,
            error=error.message,
        )
        session.set_login_csrf(request, refused, csrf)
        return refused
    signed_in = RedirectResponse(target, status_code=303)
    session.set_session(request, signed_in, token, max_age=_config(request).token_ttl_minutes * 60)
    return signed_in


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await request.form()
    actor = session.current_actor(engine_context(request), request)
    token = session.session_token(request)
    if actor is not None and token:
        try:
            session.check_csrf(request, str(form.get("csrf", "")))
        except DomainError as error:
            return error_page(request, actor, error)
        await run_in_threadpool(services.logout, engine_context(request), actor, token)
    response = RedirectResponse("/login", status_code=303)
    session.clear_session(response)
    return response


# -- home -----------------------------------------------------------------------------------------------------


@router.get("/", response_model=None)
def home(request: Request) -> Response | dict[str, Any]:
    if not wants_html(request):  # API clients keep the JSON index
        return {"name": "OneStop 一件事一次办", "docs": "/docs", "health": "/healthz"}
    ctx = engine_context(request)
    actor = session.current_actor(ctx, request)
    if actor is None:
        return login_redirect(request)
    values: dict[str, Any] = {}
    if actor.is_applicant:
        values["processes"] = [p for p in services.list_processes(ctx) if p["key"] != "demo_cross_department"]
        values["frozen"] = _frozen_reason(ctx, actor)
        values["matters"] = services.list_instances(ctx, actor, limit=10)["items"]
    if actor.departments and not actor.is_applicant:
        values["tasks"] = _with_sla(services.inbox(ctx, actor, limit=10))
    return page(request, "home.html", actor, **values)


def _frozen_reason(ctx: EngineContext, actor: Actor) -> str | None:
    """Why this unit may start nothing (负面清单), asked of the same guards a start asks."""
    with ctx.reading() as db:
        for guard in ctx.start_guards:
            try:
                guard(db, actor, "")
            except DomainError as refused:
                return refused.message
    return None


# -- applicant: start a matter, my matters, one matter -------------------------------------------------------


@router.get("/matters/new/{key}", response_class=HTMLResponse, response_model=None)
def new_matter(request: Request, key: str) -> HTMLResponse | RedirectResponse:
    ctx = engine_context(request)
    actor = session.current_actor(ctx, request)
    if actor is None:
        return login_redirect(request)
    try:
        if not actor.is_applicant:
            raise Forbidden("applicant_only", "只有申请单位的经办人可以发起事项")
        schema = services.start_form(ctx, key)
    except DomainError as error:
        return error_page(request, actor, error)
    return _form_page(
        request, actor, key, schema, schema.get("examples", [{}])[0] if request.query_params.get("example") else {}, {}
    )


def _form_page(
    request: Request,
    actor: Actor,
    key: str,
    schema: dict[str, Any],
    data: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    message: str | None = None,
) -> HTMLResponse:
    config = _config(request)
    return page(
        request,
        "matter_form.html",
        actor,
        status_code=status_code,
        key=key,
        schema=schema,
        groups=formfields.build(schema, data, errors),
        form_error=message or errors.get(""),
        accepts_files="attachments" in schema.get("properties", {}),
        file_types="、".join(["PDF", "JPEG", "PNG", "OFD", "DOCX", "XLSX"]),
        accept=",".join(ALLOWED_TYPES),
        max_size=human_size(config.max_upload_bytes),
    )


@router.post("/matters/new/{key}", response_model=None)
async def submit_matter(request: Request, key: str) -> Response:
    ctx, config = engine_context(request), _config(request)
    actor = session.current_actor(ctx, request)
    if actor is None:
        return login_redirect(request)
    store = request.app.state.attachments
    form = await request.form(max_files=config.max_files, max_fields=2000)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        session.check_csrf(request, fields.get("csrf"))
        if not actor.is_applicant:
            raise Forbidden("applicant_only", "只有申请单位的经办人可以发起事项")
        schema = services.start_form(ctx, key)
    except DomainError as error:
        return error_page(request, actor, error)
    data = formfields.parse(schema, fields)
    uploads: list[dict[str, Any]] = []
    try:
        for upload in form.getlist("files"):
            if isinstance(upload, UploadFile) and upload.filename:
                ref, _ = store_upload(upload, config, store)
                uploads.append(ref)
        started = await run_in_threadpool(
            lambda: services.start(ctx, actor, process_key=key, data=data, uploads=uploads)
        )
    except ValidationFailed as refused:
        errors = formfields.error_map(list(refused.details or []))
        return _form_page(request, actor, key, schema, data, errors, status_code=422, message=refused.message)
    except DomainError as error:
        if status_of(error) in (413, 415):
            files_error = {"files": error.message}
            return _form_page(request, actor, key, schema, data, files_error, status_of(error), error.message)
        return error_page(request, actor, error)
    return RedirectResponse(f"/matters/{started['id']}", status_code=303)


@router.get("/matters", response_class=HTMLResponse, response_model=None)
def my_matters(request: Request) -> HTMLResponse | RedirectResponse:
    ctx = engine_context(request)
    actor = session.current_actor(ctx, request)
    if actor is None:
        return login_redirect(request)
    listed = services.list_instances(ctx, actor, status=request.query_params.get("status") or None, limit=100)
    return page(request, "matters.html", actor, matters=listed["items"])


@router.get("/matters/{instance_id}", response_class=HTMLResponse, response_model=None)
def matter(request: Request, instance_id: str) -> HTMLResponse | RedirectResponse:
    ctx = engine_context(request)
    actor = session.current_actor(ctx, request)
    if actor is None:
        return login_redirect(request)
    try:
        detail = services.get(ctx, actor, instance_id)
        documents = records.list_for_instance(ctx, actor, instance_id)
        where = progress.progress(ctx, actor, instance_id)
    except DomainError as error:
        return error_page(request, actor, error)
    names = {step: DEPARTMENT_TEXT.get(code, code) for step, code in where["departments"].items()}
    svg = diagram.render(where["bpmn_xml"], where["states"], names) if where["bpmn_xml"] else ""
    return page(request, "matter.html", actor, matter=detail, documents=documents, diagram=svg)


@router.post("/matters/{instance_id}/withdraw", response_model=None)
async def withdraw(request: Request, instance_id: str) -> Response:
    ctx = engine_context(request)
    actor = session.current_actor(ctx, request)
    if actor is None:
        return login_redirect(request)
    form = await request.form()
    try:
        session.check_csrf(request, str(form.get("csrf", "")))
        reason = str(form.get("reason", "")).strip() or None
        await run_in_threadpool(lambda: services.withdraw(ctx, actor, instance_id, reason=reason))
    except DomainError as error:
        return error_page(request, actor, error)
    return RedirectResponse(f"/matters/{instance_id}", status_code=303)


@router.get("/documents/{document_id}/download", response_model=None)
def download_document(request: Request, document_id: str) -> Response:
    ctx = engine_context(request)
    actor = session.current_actor(ctx, request)
    if actor is None:
        return login_redirect(request)
    store = request.app.state.documents
    try:
        if store is None:
            raise NotFound("documents_unavailable", "本服务未配置文书存储")
        found = records.for_download(ctx, actor, document_id, store)
    except DomainError as error:
        return error_page(request, actor, error)
    filename = f"{found['title']}（{found['number']}）.pdf"
    return Response(
        store.path(found["sha256"]).read_bytes(),
        media_type="application/pdf",
        headers=attachment_headers(filename),
    )


@router.get("/matters/{instance_id}/attachments/{sha256}", response_model=None)
def download_attachment(request: Request, instance_id: str, sha256: str) -> Response:
    """An attachment of a visible matter, shown inline in the browser (audited)."""
    ctx = engine_context(request)
    actor = session.current_actor(ctx, request)
    if actor is None:
        return login_redirect(request)
    store = request.app.state.attachments
    try:
        ref = attachment_for_download(ctx, actor, instance_id, sha256)
        if not store.exists(sha256):
            raise NotFound("attachment_not_found", "附件不存在")
    except DomainError as error:
        return error_page(request, actor, error)
    return Response(
        store.path(sha256).read_bytes(),
        media_type=str(ref["content_type"]),
        headers={**attachment_headers(str(ref["name"]), inline=True), "Content-Security-Policy": "sandbox"},
    )


# -- approvers: inbox and a task ------------------------------------------------------------------------------


@router.get("/inbox", response_class=HTMLResponse, response_model=None)
def inbox(request: Request) -> HTMLResponse | RedirectResponse:
    ctx = engine_context(request)
    actor = session.current_actor(ctx, request)
    if actor is None:
        return login_redirect(request)
    tasks = services.inbox(ctx, actor, process_key=request.query_params.get("matter") or None, limit=200)
    tasks.sort(key=lambda t: (not t["overdue"], t["due_at"] or "9999"))  # overdue first, then by due date
    return page(request, "inbox.html", actor, tasks=_with_sla(tasks))


def _with_sla(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Red (overdue), amber (due within two days) or green, for the inbox colours."""
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    for task in tasks:
        due = datetime.fromisoformat(task["due_at"]) if task.get("due_at") else None
        task["due_soon"] = due is not None and due - now <= DUE_SOON
    return tasks


@router.get("/tasks/{task_id}", response_class=HTMLResponse, response_model=None)
def task_page(request: Request, task_id: str) -> HTMLResponse | RedirectResponse:
    ctx = engine_context(request)
    actor = session.current_actor(ctx, request)
    if actor is None:
        return login_redirect(request)
    try:
        task = services.get_task(ctx, actor, task_id)
        if not actor.can_act_for(task["department"], task["role"]) and not actor.is_admin:
            raise Forbidden("not_your_task", "该任务不属于您所在的部门或角色")
    except DomainError as error:
        return error_page(request, actor, error)
    if task["role"] == "applicant":  # returned for correction: the one submission, prefilled
        return _correction_page(request, actor, task, task["prefill"], {})
    return page(
        request,
        "task.html",
        actor,
        task=task,
        form_error=None,
        opinion="",
        application_schema=_application_schema(ctx, task),
    )


def _correction_page(
    request: Request,
    actor: Actor,
    task: dict[str, Any],
    data: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    message: str | None = None,
) -> HTMLResponse:
    schema = task.get("form_schema") or {}
    return page(
        request,
        "correction.html",
        actor,
        status_code=status_code,
        task=task,
        schema=schema,
        groups=formfields.build(schema, data, errors),
        form_error=message or errors.get(""),
    )


def _application_schema(ctx: EngineContext, task: dict[str, Any]) -> dict[str, Any]:
    """The schema of the matter's one submission, for the Chinese titles of the dossier."""
    try:
        return services.start_form(ctx, str(task["process_key"]))
    except DomainError:
        return {}


@router.post("/tasks/{task_id}", response_model=None)
async def decide(request: Request, task_id: str) -> Response:
    ctx = engine_context(request)
    actor = session.current_actor(ctx, request)
    if actor is None:
        return login_redirect(request)
    form = await request.form(max_fields=2000)
    decision, opinion = str(form.get("decision", "")), str(form.get("opinion", ""))
    data: dict[str, Any] = {}
    try:
        session.check_csrf(request, str(form.get("csrf", "")))
        if decision == "submit":  # a corrected submission: the form is the data
            task = services.get_task(ctx, actor, task_id)
            fields = {k: v for k, v in form.items() if isinstance(v, str)}
            data = formfields.parse(task.get("form_schema") or {}, fields)
            kept = (task.get("prefill") or {}).get("attachments")
            if kept:
                data["attachments"] = kept  # files sent with the first submission stay with the matter
        result = await run_in_threadpool(
            lambda: services.complete(ctx, actor, task_id, decision=decision, opinion=opinion or None, data=data)
        )
    except ValidationFailed as refused:
        task = services.get_task(ctx, actor, task_id)
        if task["role"] == "applicant":
            errors = formfields.error_map(list(refused.details or []))
            return _correction_page(request, actor, task, data, errors, 422, refused.message)
        return page(
            request,
            "task.html",
            actor,
            status_code=422,
            task=task,
            form_error=refused.message,
            opinion=opinion,
            application_schema=_application_schema(ctx, task),
        )
    except DomainError as error:
        return error_page(request, actor, error)
    return RedirectResponse(f"/matters/{result['id']}" if actor.is_applicant else "/inbox", status_code=303)


# -- public verification ----------------------------------------------------------------------------------------


@router.get("/verify", response_class=HTMLResponse, response_model=None)
def verify_form(request: Request) -> HTMLResponse:
    return page(request, "verify.html", session.current_actor(engine_context(request), request))


@router.post("/verify", response_class=HTMLResponse, response_model=None)
async def verify_upload(request: Request) -> HTMLResponse:
    config = _config(request)
    actor = session.current_actor(engine_context(request), request)
    form = await request.form(max_files=1, max_fields=5)
    upload = form.get("file")
    content = await upload.read(config.max_upload_bytes + 1) if isinstance(upload, UploadFile) else b""
    if not content.startswith(b"%PDF-") or len(content) > config.max_upload_bytes:
        message = "文件过大，无法验证" if len(content) > config.max_upload_bytes else "请选择要验证的 PDF 文件"
        return page(request, "verify.html", actor, status_code=415 if content else 400, form_error=message)
    report = await run_in_threadpool(verify_pdf, content, request.app.state.trust_roots)
    record = await run_in_threadpool(
        lambda: records.public_record(engine_context(request), sha256=hashlib.sha256(content).hexdigest())
    )
    return page(
        request,
        "verify_result.html",
        actor,
        report=report.as_dict(),
        record=record,
        report_json=json.dumps(report.as_dict(), ensure_ascii=False, indent=1),
    )


def verification_page(request: Request, record: dict[str, Any] | None) -> HTMLResponse:
    """The page a QR code opens (``/verify/{code}`` asked for by a browser)."""
    actor = session.current_actor(engine_context(request), request)
    return page(request, "verify_record.html", actor, status_code=200 if record else 404, record=record)


__all__ = ["ARCHIVIST", "router", "verification_page", "wants_html"]
