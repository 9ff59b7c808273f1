"""Validate submitted data against a form schema and explain errors in Chinese."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from forms import codes


@dataclass(frozen=True)
class FieldError:
    path: str  # JSON Pointer of the offending field, "" for the whole form
    field: str  # the field's Chinese title
    code: str  # the JSON Schema keyword that failed, or the format name
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _format(check: Callable[[str], list[str]]) -> Callable[[object], bool]:
    def checker(value: object) -> bool:
        return not isinstance(value, str) or not check(value)

    return checker


FORMAT_CHECKER = FormatChecker()
for _name, _check in {
    "uscc": codes.uscc_errors,
    "ric": codes.ric_errors,
    "orgcode": codes.orgcode_errors,
    "phone": codes.phone_errors,
}.items():
    FORMAT_CHECKER.checks(_name)(_format(_check))

FORMAT_MESSAGES: dict[str, Callable[[str], list[str]]] = {
    "uscc": codes.uscc_errors,
    "ric": codes.ric_errors,
    "orgcode": codes.orgcode_errors,
    "phone": codes.phone_errors,
}
GENERIC_FORMATS = {"date": "日期格式应为YYYY-MM-DD", "email": "电子邮箱格式不正确", "date-time": "时间格式不正确"}

TYPE_NAMES = {
    "string": "文本",
    "integer": "整数",
    "number": "数字",
    "boolean": "是/否",
    "object": "对象",
    "array": "列表",
    "null": "空值",
}


def make_validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=FORMAT_CHECKER)


def validate(validator: Draft202012Validator, data: Any) -> list[FieldError]:
    """All errors of ``data``, most specific first, one per field and keyword."""
    errors = sorted(_leaves(validator.iter_errors(data)), key=lambda e: list(map(str, e.absolute_path)))
    seen: set[tuple[str, str]] = set()
    result = []
    for error in errors:
        field_error = _explain(error)
        key = (field_error.path, field_error.code)
        if key not in seen:
            seen.add(key)
            result.append(field_error)
    return result


def _leaves(errors: Iterable[ValidationError]) -> Iterable[ValidationError]:
    for error in errors:
        if error.context:
            yield from _leaves(error.context)
        else:
            yield error


def _pointer(parts: Iterable[Any]) -> str:
    return "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in parts)


def _explain(error: ValidationError) -> FieldError:
    path = list(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    keyword = str(error.validator)
    if keyword == "required":
        missing = str(error.message.split("'")[1]) if "'" in error.message else ""
        props = schema.get("properties", {})
        title = props.get(missing, {}).get("title", missing)
        return FieldError(_pointer([*path, missing]), title, "required", f"请填写“{title}”")
    title = str(schema.get("title") or (path[-1] if path else "表单"))
    custom = schema.get("x-error-message")
    if isinstance(custom, str):
        return FieldError(_pointer(path), title, keyword, custom)
    return FieldError(_pointer(path), title, keyword, _message(keyword, title, error))


def _message(keyword: str, title: str, error: ValidationError) -> str:
    value: Any = error.validator_value
    instance = error.instance
    if keyword == "format":
        explain = FORMAT_MESSAGES.get(str(value))
        if explain and isinstance(instance, str):
            return f"“{title}”格式不正确：{'；'.join(explain(instance))}"
        return f"“{title}”{GENERIC_FORMATS.get(str(value), '格式不正确')}"
    messages: dict[str, Callable[[], str]] = {
        "type": lambda: f"“{title}”应为{_type_names(value)}",
        "minLength": lambda: f"“{title}”至少需要{value}个字符",
        "maxLength": lambda: f"“{title}”不能超过{value}个字符",
        "minimum": lambda: f"“{title}”不能小于{value}",
        "maximum": lambda: f"“{title}”不能大于{value}",
        "exclusiveMinimum": lambda: f"“{title}”应大于{value}",
        "exclusiveMaximum": lambda: f"“{title}”应小于{value}",
        "enum": lambda: f"“{title}”应为以下之一：{'、'.join(map(str, value))}",
        "const": lambda: f"“{title}”应为{value}",
        "pattern": lambda: f"“{title}”格式不正确",
        "minItems": lambda: f"“{title}”至少需要{value}项",
        "maxItems": lambda: f"“{title}”最多{value}项",
        "uniqueItems": lambda: f"“{title}”中有重复项",
        "additionalProperties": lambda: f"“{title}”包含未定义的字段",
        "unevaluatedProperties": lambda: f"“{title}”包含未定义的字段",
    }
    return messages.get(keyword, lambda: f"“{title}”不符合要求")()


def _type_names(value: Any) -> str:
    names = value if isinstance(value, list) else [value]
    return "或".join(TYPE_NAMES.get(str(n), str(n)) for n in names)
