"""Form schemas by key, loaded once from folders of ``*.json`` and checked: the
shared forms in ``forms/schemas`` and each matter's own (its folder's ``forms/``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from forms.validation import FieldError, make_validator, validate

SCHEMA_DIR = Path(__file__).parent / "schemas"


class FormSchemaError(Exception):
    """A shipped schema is not valid JSON Schema, or its example does not validate."""


@dataclass(frozen=True)
class Form:
    key: str
    schema: dict[str, Any]
    validator: Draft202012Validator

    def validate(self, data: Any) -> list[FieldError]:
        return validate(self.validator, data)


class FormRegistry:
    def __init__(self, forms: dict[str, Form]) -> None:
        self._forms = forms

    @classmethod
    def load(cls, *directories: Path) -> FormRegistry:
        """The forms of ``directories`` (the shared ones when none is given); a form key
        (the file's name) used twice is an error, since tasks name forms by key alone."""
        forms: dict[str, Form] = {}
        for directory in directories or (SCHEMA_DIR,):
            for path in sorted(directory.glob("*.json")):
                if path.stem in forms:
                    raise FormSchemaError(f"{path}: 表单标识 {path.stem} 已在其他目录中使用")
                schema = json.loads(path.read_text(encoding="utf-8"))
                try:
                    Draft202012Validator.check_schema(schema)
                except SchemaError as exc:
                    raise FormSchemaError(f"{path.name}: {exc.message}") from exc
                forms[path.stem] = Form(path.stem, schema, make_validator(schema))
        return cls(forms)

    def get(self, key: str) -> Form | None:
        return self._forms.get(key)

    def keys(self) -> list[str]:
        return sorted(self._forms)

    def check_examples(self) -> dict[str, list[FieldError]]:
        """Errors of each form's ``examples``; a form without examples is an error too."""
        problems: dict[str, list[FieldError]] = {}
        for key, form in self._forms.items():
            examples = form.schema.get("examples") or []
            if not examples:
                problems[key] = [FieldError("", key, "examples", "表单缺少示例")]
            for example in examples:
                errors = form.validate(example)
                if errors:
                    problems.setdefault(key, []).extend(errors)
        return problems
