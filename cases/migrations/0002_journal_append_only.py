from django.db import migrations

from vum.db import append_only


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [append_only("cases_journalnotat")]
