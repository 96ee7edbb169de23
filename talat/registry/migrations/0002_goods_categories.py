"""The goods categories Thai SMEs sell most; reference data every installation needs."""

from django.db import migrations

from talat.registry.reference import ensure_goods_categories


def create(apps, schema_editor):
    ensure_goods_categories(apps.get_model("registry", "GoodsCategory"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
