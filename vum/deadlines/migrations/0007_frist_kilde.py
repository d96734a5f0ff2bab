import re
from typing import Any

from django.db import migrations, models

MARKER = re.compile(r"\(brev (\d+), (\w+)\)$")


def key_the_open_letter_tasks(apps: Any, schema_editor: Any) -> None:
    """The "Brev ikke leveret" tasks raised before named their letter and recipient at the end
    of the description: they get the key the dispatch now looks them up by."""
    frister = apps.get_model("deadlines", "Frist").objects
    for pk, beskrivelse in frister.filter(art="brev_ikke_leveret").values_list("pk", "beskrivelse"):
        found = MARKER.search(beskrivelse)
        if found:
            frister.filter(pk=pk).update(kilde=f"brev-ikke-leveret:{found[1]}:{found[2]}")


class Migration(migrations.Migration):
    """A task's key (`Frist.kilde`), so that a task closed by something other than its case is
    found by key, not by the wording of its description."""

    dependencies = [("deadlines", "0006_frist_brev_ikke_leveret")]

    operations = [
        migrations.AddField(
            model_name="frist",
            name="kilde",
            field=models.CharField(blank=True, max_length=100, verbose_name="kilde"),
        ),
        migrations.RunPython(key_the_open_letter_tasks, migrations.RunPython.noop),
    ]
