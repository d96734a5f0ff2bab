"""The audit trail points to data and never copies it; reading it is audited; a citizen can be
given their own log. (Issue 19, item 1.)"""

import importlib
import json
from typing import Any

import pytest
from django.apps import apps as global_apps
from django.db import connection
from django.db.utils import DatabaseError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import Diagnose
from cases.services.borger import borger_create
from cases.services.sagsaabning import sagsaabning_row_add, sagsaabning_update
from tests.catalogs import load_catalog
from tests.factories import SagFactory, UserFactory
from tests.pdf import pdf_text
from vum.audit.models import AuditAction, AuditEvent
from vum.audit.redaction import marker, redact
from vum.audit.services import audit_record

pytestmark = pytest.mark.django_db

# A module name that starts with a digit is imported by name.
migration = importlib.import_module("vum.audit.migrations.0003_point_not_copy")


def test_free_text_names_cpr_and_diagnoses_become_markers_codes_stay() -> None:
    changes = {
        "fase": {"old": "sagsaabning", "new": "sagsoplysning"},
        "ydelser": ["85-socialpaedagogisk-stoette"],
        "frist": "2026-12-01",
        "vaergemaal": True,
        "antal": 3,
        "tekst": {"old": "", "new": "Mads hører stemmer om natten."},
        "cpr": "0101901234",
        "diagnose": "F20.0 Paranoid skizofreni",
        "diagnoser": ["skizofreni"],
    }
    pointed = redact(changes)
    assert pointed["fase"] == {"old": "sagsaabning", "new": "sagsoplysning"}
    assert pointed["ydelser"] == ["85-socialpaedagogisk-stoette"]
    assert pointed["frist"] == "2026-12-01"
    assert pointed["vaergemaal"] is True
    assert pointed["antal"] == 3
    assert pointed["tekst"] == {"old": "", "new": marker("Mads hører stemmer om natten.")}
    assert pointed["tekst"]["new"]["tegn"] == len("Mads hører stemmer om natten.")
    for content in ["stemmer", "0101901234", "F20", "skizofreni"]:
        assert content not in str(pointed)
    # The same text gives the same marker, so an auditor can see that two events wrote it.
    assert redact({"a": "Samme tekst"})["a"] == redact({"b": "Samme tekst"})["b"]
    assert redact({"a": "Samme tekst"})["a"] != redact({"a": "Anden tekst"})["a"]


def test_services_record_no_content(caseworker) -> None:
    sag = SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)
    borger = borger_create(actor=caseworker, cpr="0203452345", fornavn="Bente", efternavn="Holm")
    sagsaabning_row_add(
        actor=caseworker,
        sag=sag,
        model=Diagnose,
        diagnose="Paranoid skizofreni",
        icd10="F20.0",
        stillet_af="Psykiatrisk Center",
    )
    sagsaabning_update(actor=caseworker, sag=sag, oensker_for_fremtiden="Bo selv med støtte")
    logged = " ".join(str(e.changes) for e in AuditEvent.objects.all())
    for content in ["0203452345", "020345", "Bente", "Holm", "skizofreni", "F20", "Bo selv"]:
        assert content not in logged
    assert AuditEvent.objects.filter(borger_id=borger.pk, action=AuditAction.CREATE).exists()


def _raw_event(changes: dict[str, Any]) -> AuditEvent:
    """An event as the code before this change wrote it: with the content copied in."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (occurred_at, actor_label, action, borger_id, "
            "object_type, object_id, summary, changes, user_agent) "
            "VALUES (%s, 'gammel', 'update', 7, 'cases.Borger', '7', 'Borger ændret', %s, '') "
            "RETURNING id",
            # The time from Python's (frozen) clock, not PostgreSQL's now(): one clock.
            [timezone.now(), json.dumps(changes)],
        )
        (pk,) = cursor.fetchone()
    return AuditEvent.objects.get(pk=pk)


def test_the_migration_rewrites_old_content_records_itself_and_stays_append_only() -> None:
    old = _raw_event(
        {"adresse": {"old": "Gammel vej 1", "new": "Ny vej 2"}, "fase": "sagsoplysning"}
    )
    untouched = _raw_event({"fase": {"old": "sagsaabning", "new": "sagsoplysning"}})

    with connection.schema_editor(atomic=True) as editor:
        migration.point_not_copy(global_apps, editor)

    old.refresh_from_db()
    assert old.changes == {
        "adresse": {"old": marker("Gammel vej 1"), "new": marker("Ny vej 2")},
        "fase": "sagsoplysning",
    }
    untouched.refresh_from_db()
    assert untouched.changes == {"fase": {"old": "sagsaabning", "new": "sagsoplysning"}}
    recorded = AuditEvent.objects.get(actor_label="migration")
    assert recorded.changes == {"haendelser": 1}
    assert "migration audit 0003" in recorded.summary
    # The refusal is back: the app cannot change history afterwards.
    with pytest.raises(DatabaseError, match="kan kun tilføjes rækker"), connection.cursor() as c:
        c.execute("UPDATE audit_auditevent SET summary = 'x' WHERE id = %s", [old.pk])


def _administrator_client() -> tuple[Any, Client]:
    admin = UserFactory(administrator=True)
    client = Client()
    client.force_login(admin)
    return admin, client


def test_reading_the_log_in_the_admin_site_is_audited() -> None:
    admin, client = _administrator_client()
    admin.is_staff = True
    admin.is_superuser = True
    admin.save()
    event = audit_record(actor=None, action=AuditAction.VIEW, borger_id=42, summary="Borger vist")

    listing = client.get(reverse("admin:audit_auditevent_changelist"), {"q": "42"})
    detail = client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))

    assert listing.status_code == detail.status_code == 200
    reads = AuditEvent.objects.filter(actor=admin).order_by("id")
    assert [(e.action, e.borger_id) for e in reads] == [
        (AuditAction.LIST, None),
        (AuditAction.VIEW, 42),
    ]
    assert reads[0].changes == {"filtre": {"q": True}}  # the filter's name, not the search term


def test_a_citizen_is_given_their_log_as_pdf_and_csv_and_the_handing_over_is_audited(
    caseworker, settings
) -> None:

    settings.VUM_MUNICIPALITY = "randers"
    load_catalog()
    sag = SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)
    caseworker.first_name, caseworker.last_name = "Sofie", "Sagsbehandler"
    caseworker.save()
    audit_record(
        actor=caseworker,
        action=AuditAction.VIEW,
        obj=sag,
        summary='=HYPERLINK("http://x")',
        changes={"tekst": "Hemmeligt indhold"},
    )
    admin, client = _administrator_client()

    pdf = client.get(reverse("borger_log_pdf", args=[sag.borger_id]))
    csv = client.get(reverse("borger_log_csv", args=[sag.borger_id]))

    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "Sofie Sagsbehandler" in text
    assert "Hemmeligt" not in text
    body = csv.content.decode("utf-8-sig")
    assert body.splitlines()[0] == "Tidspunkt;Bruger;Handling;Hvad;Beskrivelse"
    assert "Sofie Sagsbehandler" in body
    assert "'=HYPERLINK" in body  # shown as text, not a live formula
    assert ";=HYPERLINK" not in body
    assert "Hemmeligt" not in body
    exports = AuditEvent.objects.filter(actor=admin, action=AuditAction.EXPORT).order_by("id")
    assert [e.summary for e in exports] == [
        "Borgerens log udleveret (pdf)",
        "Borgerens log udleveret (csv)",
    ]
    assert all(e.borger_id == sag.borger_id for e in exports)


def test_only_those_who_may_read_the_log_can_export_it(caseworker) -> None:
    sag = SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)
    client = Client()
    client.force_login(caseworker)
    assert client.get(reverse("borger_log_csv", args=[sag.borger_id])).status_code in (403, 404)
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
