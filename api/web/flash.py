"""One-time messages after an action (已提交, 已办理...), carried by a short cookie across the redirect.

The cookie holds a message code from ``MESSAGES`` and a short argument (a 受理编号, a count), never
free text, so nobody can make the page say something of their choosing.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from fastapi import Request, Response

from api.web import session
from api.web.wording import DECISION_TEXT

FLASH_COOKIE = "onestop_flash"
ARGUMENT = re.compile(r"[0-9A-Za-z\-]{0,40}")
MESSAGES = {
    "submitted": "申请已提交，受理编号 {}。可打印受理回执备查。",
    "resubmitted": "补正材料已重新提交（受理编号 {}），等待部门继续审核。",
    "decided": "已办理：{}。",
    "returned": "已退回申请单位补正（受理编号 {}）。",
    "claimed": "已签收，该任务由您专办。",
    "unclaimed": "已退回签收，同部门其他人员可以签收。",
    "withdrawn": "申请已撤回（受理编号 {}）。",
    "draft_saved": "草稿已保存，可随时从“我的事项”继续填写。",
    "draft_deleted": "草稿已删除。",
    "read_all": "消息已全部标为已读。",
    "batch": "已批量同意 {} 件。",
    "transferred": "已转办，该任务由您选定的同事办理。",
    "delegated": "已委派，受托人办理后将交回您作出决定。",
    "resolved": "已办理完毕并交回委派人。",
    "copied": "已抄送，对方可查阅该事项。",
    "urged": "已催办，当前办理人员已收到提醒。",
    "deputy_set": "代理已设置。",
    "deputy_cleared": "代理已取消。",
    "returned_to": "已退回，事项从您选定的环节重新办理。",
    "recalled": "已撤回您的决定，该任务重新由您办理。",
    "signers_added": "已加签，加签人员已收到待办。",
}


def flash(request: Request, response: Response, code: str, argument: str = "") -> Response:
    """Say ``MESSAGES[code]`` on the next page this browser opens."""
    if code not in MESSAGES or not ARGUMENT.fullmatch(argument):
        argument = ""
    value = quote(f"{code}:{argument}", safe=":-")
    secure = session.secure_cookies(request)  # as the session cookie: the TLS proxy's setting decides
    response.set_cookie(FLASH_COOKIE, value, max_age=60, httponly=True, samesite="lax", secure=secure, path="/")
    return response


def pending(request: Request) -> str | None:
    """The message waiting for this page, in Chinese; None when there is none."""
    raw = unquote(request.cookies.get(FLASH_COOKIE, ""))
    code, _, argument = raw.partition(":")
    if code not in MESSAGES or not ARGUMENT.fullmatch(argument):
        return None
    return MESSAGES[code].format(DECISION_TEXT.get(argument, argument))


def consumed(request: Request, response: Response) -> None:
    """The message was shown: forget it."""
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/")
