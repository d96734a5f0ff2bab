from django.db import migrations, models


class Migration(migrations.Migration):
    """The delivered bundle is kept as compressed JSON (FfbBorgerlevering.bundt_zlib); the jsonb
    column held ten times the bytes. The data set is new in this release: no row to carry over."""

    dependencies = [("followup", "0008_ffb_levering")]

    operations = [
        migrations.RemoveField(model_name="ffbborgerlevering", name="bundt"),
        migrations.AddField(
            model_name="ffbborgerlevering",
            name="bundt_zlib",
            field=models.BinaryField(default=b"", verbose_name="bundt (FHIR, komprimeret JSON)"),
            preserve_default=False,
        ),
    ]
