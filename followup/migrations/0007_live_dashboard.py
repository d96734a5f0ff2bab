"""The live dashboard: the facts the figures are folded from (`NoegletalBidrag`), and the change
log (`NoegletalAendring`) that triggers on every case table a collector reads fill in the
writer's transaction, so that an ORM save, a bulk update or a statement in the admin's shell are
all seen. A trigger writes only the case's id: which case, never what changed.

Figures kept before this migration have no facts beside them, so they cannot be corrected: they
and their status go, and the dashboard's first view queues a rebuild (as 0006 did)."""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

LOG = "followup_noegletalaendring"

# Each table a collector reads, and how a row of it names its case ({row}: NEW or OLD, or the
# transition table's row).
CASE_OF_ROW = {
    "cases_sag": "{row}.id",
    "cases_henvendelse": "{row}.sag_id",
    "deadlines_frist": "{row}.sag_id",
    "assessment_afgoerelse": "{row}.sag_id",
    "assessment_dagsordenspunkt": "{row}.sag_id",
    "assessment_klage": "{row}.sag_id",
    "assessment_sagsvurdering": "{row}.sag_id",
    "assessment_afgoerelsesresultat": (
        "(SELECT a.sag_id FROM assessment_afgoerelse a WHERE a.id = {row}.afgoerelse_id)"
    ),
    "assessment_indsats": (
        "(SELECT v.sag_id FROM assessment_sagsvurdering v WHERE v.id = {row}.vurdering_id)"
    ),
    "assessment_indsatsmaal": (
        "(SELECT v.sag_id FROM assessment_sagsvurdering v WHERE v.id = {row}.vurdering_id)"
    ),
    "assessment_vurderingmaalgruppe": (
        "(SELECT v.sag_id FROM assessment_sagsvurdering v WHERE v.id = {row}.vurdering_id)"
    ),
    "assessment_prislinje": (
        "(SELECT v.sag_id FROM assessment_indsats i JOIN assessment_sagsvurdering v"
        " ON v.id = i.vurdering_id WHERE i.id = {row}.indsats_id)"
    ),
    "followup_opfoelgningsskema": (
        "(SELECT o.sag_id FROM followup_opfoelgning o WHERE o.id = {row}.opfoelgning_id)"
    ),
    "followup_skemamaal": (
        "(SELECT o.sag_id FROM followup_opfoelgningsskema s JOIN followup_opfoelgning o"
        " ON o.id = s.opfoelgning_id WHERE s.id = {row}.skema_id)"
    ),
}


def _postgresql(table: str, case: str) -> list[str]:
    """Statement-level triggers with transition tables: one INSERT into the log per statement,
    however many rows it wrote (a bulk create of 500 results writes the case once)."""
    function = f"noegletal_aendring_{table}"

    def logged(rows: str) -> str:
        return (
            f"INSERT INTO {LOG} (sag_id) SELECT DISTINCT c FROM"
            f" (SELECT {case.format(row='r')} AS c FROM {rows} r) x WHERE c IS NOT NULL;"
        )

    return [
        f"""CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('INSERT', 'UPDATE') THEN {logged("nye")} END IF;
            IF TG_OP IN ('UPDATE', 'DELETE') THEN {logged("gamle")} END IF;
            RETURN NULL;
        END $$""",
        f"CREATE TRIGGER {function}_i AFTER INSERT ON {table} REFERENCING NEW TABLE AS nye"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {function}_u AFTER UPDATE ON {table}"
        f" REFERENCING OLD TABLE AS gamle NEW TABLE AS nye"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {function}_d AFTER DELETE ON {table} REFERENCING OLD TABLE AS gamle"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


def _sqlite(table: str, case: str) -> list[str]:
    """Row-level triggers: SQLite has no transition tables (the demo's small database)."""
    statements = []
    for event, rows in (("INSERT", ["NEW"]), ("UPDATE", ["NEW", "OLD"]), ("DELETE", ["OLD"])):
        body = " ".join(
            f"INSERT INTO {LOG} (sag_id) SELECT {case.format(row=row)}"
            f" WHERE {case.format(row=row)} IS NOT NULL;"
            for row in rows
        )
        statements.append(
            f"CREATE TRIGGER noegletal_aendring_{table}_{event[0].lower()} AFTER {event}"
            f" ON {table} FOR EACH ROW BEGIN {body} END"
        )
    return statements


def create_triggers(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for table, case in CASE_OF_ROW.items():
        for statement in (_postgresql if vendor == "postgresql" else _sqlite)(table, case):
            schema_editor.execute(statement)


def drop_triggers(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for table in CASE_OF_ROW:
        function = f"noegletal_aendring_{table}"
        for event in "iud":
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS {function}_{event}"
                + (f" ON {table}" if vendor == "postgresql" else "")
            )
        if vendor == "postgresql":
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}()")


def forget_old_figures(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("followup", "Noegletal").objects.all().delete()
    apps.get_model("followup", "NoegletalOpgoerelse").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0006_rebuild_dashboard_figures"),
        ("cases", "0010_borger_oprettet_af"),
        ("assessment", "0009_sagsvurdering_version"),
        ("deadlines", "0005_live_dashboard"),
    ]

    operations = [
        migrations.CreateModel(
            name="NoegletalAendring",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("sag_id", models.BigIntegerField(verbose_name="sag")),
            ],
            options={
                "verbose_name": "ændring til nøgletal",
                "verbose_name_plural": "ændringer til nøgletal",
            },
        ),
        migrations.CreateModel(
            name="NoegletalBidrag",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("emne", models.CharField(max_length=20, verbose_name="emne")),
                ("sag_id", models.BigIntegerField(db_index=True, verbose_name="sag")),
                ("borger_id", models.BigIntegerField(db_index=True, verbose_name="borger")),
                ("team_id", models.BigIntegerField(null=True, verbose_name="team")),
                ("kommunal_ydelse_id", models.BigIntegerField(null=True, verbose_name="ydelse")),
                ("maaned", models.DateField(null=True, verbose_name="måned")),
                ("noegle", models.CharField(blank=True, max_length=40, verbose_name="nøgle")),
                ("noegle2", models.CharField(blank=True, max_length=40, verbose_name="nøgle 2")),
                ("noegle3", models.CharField(blank=True, max_length=40, verbose_name="nøgle 3")),
                ("per_borger", models.BooleanField(default=False, verbose_name="pr. borger")),
                (
                    "sum1",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=16, verbose_name="sum 1"
                    ),
                ),
                (
                    "sum2",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=16, verbose_name="sum 2"
                    ),
                ),
                (
                    "sum3",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=16, verbose_name="sum 3"
                    ),
                ),
                ("vaerdi", models.IntegerField(null=True, verbose_name="værdi")),
                ("taeller", models.BooleanField(default=False, verbose_name="tæller")),
            ],
            options={
                "verbose_name": "bidrag til nøgletal",
                "verbose_name_plural": "bidrag til nøgletal",
            },
        ),
        migrations.AddField(
            model_name="noegletalopgoerelse",
            name="afvigelser",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Grupper, som den seneste fulde genopbygning fandt anderledes end de løbende opdaterede (bør være 0).",
                null=True,
                verbose_name="afvigelser",
            ),
        ),
        migrations.AddField(
            model_name="noegletalopgoerelse",
            name="ajour",
            field=models.DateTimeField(
                blank=True,
                help_text="Tallene er opdateret med alt til dette tidspunkt.",
                null=True,
                verbose_name="ajour",
            ),
        ),
        migrations.AlterField(
            model_name="noegletalopgoerelse",
            name="opgjort",
            field=models.DateTimeField(
                blank=True,
                help_text="Seneste fulde genopbygning.",
                null=True,
                verbose_name="opgjort",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(forget_old_figures, migrations.RunPython.noop),
    ]
