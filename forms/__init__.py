"""Form schemas (JSON Schema 2020-12) and their server-side validation in Chinese."""

from forms.registry import FormRegistry, FormSchemaError
from forms.validation import FieldError, validate

__all__ = ["FieldError", "FormRegistry", "FormSchemaError", "validate"]
