from django.apps import apps

from talat.core.classification import DataClass, classification_of, declared_fields


def talat_models():
    return [m for m in apps.get_models() if m.__module__.startswith("talat.")]


def test_every_field_of_every_talat_model_declares_its_class():
    missing = [
        f"{model._meta.label}.{field.name}"
        for model in talat_models()
        for field in declared_fields(model)
        if classification_of(field) is None
    ]
    assert missing == [], "declare these fields' class beside them: " + ", ".join(missing)


def test_the_check_sees_every_kind_of_field():
    from talat.accounts.models import User
    from talat.registry.models import Enterprise

    names = {f.name for f in declared_fields(Enterprise)}
    assert {"tax_id", "categories", "owner", "created_at"} <= names
    assert "id" not in names
    assert classification_of(User._meta.get_field("password")).data_class == DataClass.SECRET
    assert classification_of(Enterprise._meta.get_field("phone")).personal is True
