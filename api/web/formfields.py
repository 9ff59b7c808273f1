"""A matter's JSON Schema as an HTML form, and the posted form back as JSON.

Field names are the data's paths with dots (``persons.0.id_number``), so a
server error's JSON Pointer (``/persons/0/id_number``) lands next to its
field. Lists of records get one row per entry plus a blank one, so a person
can be added without JavaScript; a row left empty is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kernel.numbers import whole_number

SKIPPED = {"attachments"}  # files come through the upload input
EXTRA_ROWS = 1


@dataclass
class Field:
    name: str
    label: str
    kind: str  # text, textarea, select, number, integer, checkbox, date
    required: bool
    value: Any = None
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, Chinese label)
    error: str | None = None
    help: str | None = None
    maxlength: int | None = None


@dataclass
class Group:
    name: str
    label: str
    fields: list[Field] = field(default_factory=list)
    rows: list[list[Field]] = field(default_factory=list)  # a list of records
    error: str | None = None
    help: str | None = None


def enum_label(spec: Mapping[str, Any], value: Any) -> str:
    """The Chinese label the form gives a coded value (``x-enum-labels``), else the value."""
    labels = spec.get("x-enum-labels") or {}
    return str(labels.get(str(value), value))


def _kind(spec: dict[str, Any]) -> str:
    if "enum" in spec:
        return "select"
    kind = spec.get("type")
    if kind in ("number", "integer", "boolean"):
        return "checkbox" if kind == "boolean" else str(kind)
    if spec.get("format") == "date":
        return "date"
    return "textarea" if int(spec.get("maxLength") or 0) > 200 else "text"


def _field(name: str, key: str, spec: dict[str, Any], required: bool, value: Any, errors: dict[str, str]) -> Field:
    return Field(
        name=name,
        label=str(spec.get("title") or key),
        kind=_kind(spec),
        required=required,
        value=value if value is not None else spec.get("default"),
        options=[(str(o), enum_label(spec, o)) for o in spec.get("enum", [])],
        error=errors.get(name),
        help=spec.get("description"),
        maxlength=spec.get("maxLength"),
    )


def _fields(prefix: str, spec: dict[str, Any], data: dict[str, Any], errors: dict[str, str]) -> list[Field]:
    required = set(spec.get("required", []))
    return [
        _field(f"{prefix}{key}", key, sub, key in required, data.get(key), errors)
        for key, sub in spec.get("properties", {}).items()
        if sub.get("type") not in ("object", "array")
    ]


def build(schema: dict[str, Any], data: dict[str, Any] | None, errors: dict[str, str]) -> list[Group]:
    """The form's groups: the plain fields first, then each record and list of records."""
    data = data or {}
    required = set(schema.get("required", []))
    groups = [Group("", "", fields=_fields("", schema, data, errors))]
    for key, spec in schema.get("properties", {}).items():
        if key in SKIPPED:
            continue
        label = str(spec.get("title") or key)
        if spec.get("type") == "object":
            found = data.get(key)
            value: dict[str, Any] = found if isinstance(found, dict) else {}
            groups.append(
                Group(
                    key,
                    label,
                    fields=_fields(f"{key}.", spec, value, errors),
                    error=errors.get(key),
                    help=spec.get("description"),
                )
            )
        elif spec.get("type") == "array" and spec.get("items", {}).get("type") == "object":
            entries = [e for e in data.get(key) or [] if isinstance(e, dict)]
            count = min(max(len(entries) + EXTRA_ROWS, int(spec.get("minItems") or 1)), int(spec.get("maxItems") or 50))
            rows = [
                _fields(f"{key}.{i}.", spec["items"], entries[i] if i < len(entries) else {}, errors)
                for i in range(count)
            ]
            mark = "（必填）" if key in required else ""
            groups.append(Group(key, label + mark, rows=rows, error=errors.get(key), help=spec.get("description")))
    return groups


def _coerce(spec: dict[str, Any], raw: str) -> Any:
    kind = spec.get("type")
    text = raw.strip()
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            return text  # the schema says why it is wrong, next to the field
    if kind == "number":
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() else number
    if kind == "boolean":
        return text in ("on", "true", "1")
    return text


def _record(prefix: str, spec: dict[str, Any], form: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, sub in spec.get("properties", {}).items():
        name = f"{prefix}{key}"
        if sub.get("type") == "boolean":
            out[key] = name in form
        elif name in form and str(form[name]).strip() != "":
            out[key] = _coerce(sub, str(form[name]))
    return out


def parse(schema: dict[str, Any], form: Mapping[str, str]) -> dict[str, Any]:
    """The JSON the posted form stands for; empty optional values are left out."""
    data = _record(
        "",
        {
            "properties": {
                k: v for k, v in schema.get("properties", {}).items() if v.get("type") not in ("object", "array")
            }
        },
        form,
    )
    for key, spec in schema.get("properties", {}).items():
        if key in SKIPPED:
            continue
        if spec.get("type") == "object":
            value = _record(f"{key}.", spec, form)
            if value:
                data[key] = value
        elif spec.get("type") == "array" and spec.get("items", {}).get("type") == "object":
            indices = sorted(
                {
                    index
                    for n in form
                    if n.startswith(f"{key}.") and (index := whole_number(n.split(".")[1], max_digits=3)) is not None
                }
            )
            rows = [_record(f"{key}.{i}.", spec["items"], form) for i in indices]
            data[key] = [row for row in rows if any(v not in ("", None, False) for v in row.values())]
    return data


def error_map(details: Any) -> dict[str, str]:
    """Server field errors keyed by form field name; form-wide ones under "". ``details`` is a
    refusal's details: a list of field errors, or anything else (which names no field)."""
    out: dict[str, str] = {}
    for error in details if isinstance(details, list) else []:
        if not isinstance(error, dict):
            continue
        name = str(error.get("path", "")).strip("/").replace("/", ".")
        out.setdefault(name, str(error.get("message", "")))
    return out
