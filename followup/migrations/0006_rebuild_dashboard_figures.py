"""The figures kept before 0005 have no whole-area rows (nor `sagsbehandler_alle` and
`udgift_omraade`), which the dashboard now reads: shown as they are, a head of department's
panels would be empty and every caseworker table too, until the next scheduled rebuild. The old
figures and their status go, so the page says they are being made and its first view queues a
rebuild at once."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def forget_old_figures(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("followup", "Noegletal").objects.all().delete()
    apps.get_model("followup", "NoegletalOpgoerelse").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("followup", "0005_dashboard_whole_area")]

    operations = [migrations.RunPython(forget_old_figures, migrations.RunPython.noop)]
