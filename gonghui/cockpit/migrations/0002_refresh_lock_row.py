from django.db import migrations


def create_lock(apps, schema_editor):  # noqa: ANN001, ANN201
    apps.get_model("cockpit", "RefreshLock").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("cockpit", "0001_initial")]

    operations = [migrations.RunPython(create_lock, migrations.RunPython.noop)]
