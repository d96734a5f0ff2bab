"""DRF's authtoken table goes with the app: it holds every token in plain text, and none of them
authenticates any more (knox's tokens replace them; clients log in again).

Not reversible in the data: going back to DRF's authtoken means
`manage.py migrate authtoken zero --fake && manage.py migrate authtoken` (new, empty table),
and every client logs in again.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_pnummer_ean_oekonomi"),
    ]

    operations = [
        migrations.RunSQL(
            "DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop
        ),
    ]
