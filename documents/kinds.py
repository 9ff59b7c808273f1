"""The official documents the platform issues, one kind per template.

A kind names its title, its template, the department that issues and seals
it, and the series of its 文号 (``示编〔2026〕3号``, ``示编码〔2026〕12号``): each
series counts per department and year without gaps.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentKind:
    key: str
    title: str
    template: str
    series: str
    department: str = "bianban"
    seal_line: str = ""
    header: str = "文件"  # 发文机关标志 = issuer + this word

    def number(self, prefix: str, year: int, sequence: int) -> str:
        return f"{prefix}{self.series}〔{year}〕{sequence}号"

    @property
    def sequence_name(self) -> str:
        return f"docno:{self.department}:{self.series}"


KINDS: dict[str, DocumentKind] = {
    kind.key: kind
    for kind in (
        DocumentKind("institution_approval", "机构编制批复", "institution_approval.html.j2", "编"),
        DocumentKind("credit_code_notice", "统一社会信用代码赋码通知书", "credit_code_notice.html.j2", "编码"),
        DocumentKind("domain_confirmation", "中文域名注册确认书", "domain_confirmation.html.j2", "编域"),
        DocumentKind(
            "legal_person_certificate",
            "事业单位法人证书",
            "legal_person_certificate.html.j2",
            "编登",
            seal_line="登记管理专用章",
            header="",
        ),
        DocumentKind("staff_quota_notice", "核准使用编制通知单", "staff_quota_notice.html.j2", "编核", header=""),
        DocumentKind("staff_entry_notice", "入编通知单", "staff_entry_notice.html.j2", "编入", header=""),
        DocumentKind("staff_exit_notice", "出编通知单", "staff_exit_notice.html.j2", "编出", header=""),
    )
}


def kind_of(key: str) -> DocumentKind:
    try:
        return KINDS[key]
    except KeyError:
        raise LookupError(f"没有文书种类“{key}”") from None
