"""Every model field that holds business or personal data declares, beside the field, its class
and whether it is personal data. The border, the data dictionary, data-subject exports and the
documentation all read these declarations.

    email = confidential(models.EmailField(...), personal=True)
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataClass(models.TextChoices):
    PUBLIC = "public", _("เปิดเผย")
    INTERNAL = "internal", _("ภายใน")
    CONFIDENTIAL = "confidential", _("ลับ")
    SECRET = "secret", _("ลับมาก / ลับที่สุด")


@dataclass(frozen=True)
class Classification:
    data_class: DataClass
    personal: bool


def classified(field, data_class: DataClass | str, *, personal: bool = False):
    """Attaches the classification to a model field and returns the field."""
    field.classification = Classification(DataClass(data_class), personal)
    return field


def public(field, *, personal: bool = False):
    return classified(field, DataClass.PUBLIC, personal=personal)


def internal(field, *, personal: bool = False):
    return classified(field, DataClass.INTERNAL, personal=personal)


def confidential(field, *, personal: bool = False):
    return classified(field, DataClass.CONFIDENTIAL, personal=personal)


def secret(field, *, personal: bool = False):
    return classified(field, DataClass.SECRET, personal=personal)


def classify_inherited(model, **declarations: Classification) -> None:
    """For fields a model inherits from Django (a user's password, say): declared right after
    the class, since they cannot be declared beside a field we do not write."""
    for name, classification in declarations.items():
        model._meta.get_field(name).classification = classification


def classification_of(field) -> Classification | None:
    return getattr(field, "classification", None)


def declared_fields(model):
    """The fields of `model` that must carry a declaration: every concrete or many-to-many field
    except the automatic primary key."""
    for field in model._meta.get_fields(include_hidden=False):
        if field.auto_created or (field.is_relation and not field.concrete and not field.many_to_many):
            continue
        yield field


def field_path(field) -> str:
    """'registry.Enterprise.tax_id': how agreements name a field."""
    return f"{field.model._meta.app_label}.{field.model.__name__}.{field.name}"
