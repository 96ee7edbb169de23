"""Helpers shared by every app's forms."""

from django.core.exceptions import ValidationError


def add_service_errors(form, error: ValidationError, *, fallback_field: str | None = None) -> None:
    """Shows a service's ValidationError beside the form's fields it names; the rest on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(fallback_field if fallback_field in form.fields else None, error)
