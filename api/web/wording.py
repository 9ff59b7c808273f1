"""The words the pages use for the platform's codes: statuses, roles, decisions, actions,
departments; a step named with its department once; an opinion that does not echo its decision."""

from __future__ import annotations

from engine.vocabulary import Decision, InstanceStatus, labels

STATUS_TEXT = labels(InstanceStatus)
ROLE_TEXT = {"applicant": "申请单位经办人", "approver": "审批人员", "archivist": "档案管理员", "admin": "系统管理员"}
DECISION_TEXT = labels(Decision)
ACTION_TEXT = {
    "start": "发起",
    "open_for_unit": "向单位下达",
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
    "publish": "公示",
    "download_document": "下载文书",
    "download_attachment": "下载附件",
    "archive_view": "查阅档案",
    "archive_download": "下载档案",
    "overdue": "超期提醒",
    "transfer": "转办",
    "delegate": "委派",
    "delegate_resolved": "委派交回",
    "copy": "抄送",
    "urge": "催办",
    "return_to": "退回到已办环节",
    "recall": "撤回决定",
    "add_signers": "加签",
    "sign": "加签意见",
    "timer": "超时处理",
    "escalate": "督办",
    "migrate": "迁移到新版本流程",
}
# What the platform's own operations leave in a matter's results; each matter's manifest labels its own.
PLATFORM_RESULTS = {"documents": "出具的文书"}
DEPARTMENT_TEXT = {
    "applicant": "申请单位",
    "unit": "相关单位",  # another unit asked for its decision on the matter (调出单位)
    "bianban": "编办",
    "zuzhi": "组织部",
    "renshe": "人社局",
    "caizheng": "财政局",
    "bianwei": "编委",
    "archives": "档案管理",
    "parallel": "并联部门",
}


def step_label(title: str, department: str | None) -> str:
    """A step with its department, once: 编办初审（编办）, but 并联审核（组织部） as it is."""
    name = DEPARTMENT_TEXT.get(department or "", department or "")
    named_by_itself = department == "unit" or not name or name in title or title.endswith("）")  # 调出单位同意调出
    return title if named_by_itself else f"{title}（{name}）"


def opinion_text(decision: str | None, opinion: str | None) -> str:
    """同意——拟同意设立, but 同意 rather than 同意——同意。 when the opinion only repeats the decision."""
    said = DECISION_TEXT.get(decision or "", decision or "")
    words = (opinion or "").strip()
    if not words or words.rstrip("。.") == said:
        return said
    return f"{said}——{words}" if said else words


def filesize(size: object) -> str:
    """A file's size as people read it: 820 字节, 12.5 KB, 3.2 MB."""
    count = int(size) if isinstance(size, int | float | str) and str(size).isdigit() else 0
    if count < 1024:
        return f"{count} 字节"
    if count < 1024 * 1024:
        return f"{count / 1024:.1f} KB"
    return f"{count / 1024 / 1024:.1f} MB"


# 常用意见: the phrases a department writes most, offered on its decision form.
COMMON_OPINIONS = ("同意。", "材料齐全，符合规定，同意。")
STOCK_OPINIONS = {
    "bianban": ("经审核，符合机构编制管理有关规定，同意。", "请补充提供机构职能配置说明。", "请补充提供编制使用计划。"),
    "zuzhi": ("经研究，同意。", "请补充提供领导职数配备的依据。"),
    "renshe": ("经审核，同意。", "请补充提供岗位设置方案。", "请补充提供人员聘用（录用）审批材料。"),
    "caizheng": ("经审核，经费渠道明确，同意。", "请补充说明经费来源及预算安排。"),
    "bianwei": ("经编委会研究，同意。", "提请编委会再次研究。"),
    "unit": ("经单位研究，同意。", "该同志承担重点工作，暂不同意。"),
}


def stock_opinions(department: str) -> tuple[str, ...]:
    return (*STOCK_OPINIONS.get(department, ()), *COMMON_OPINIONS)
