"""The audit trail is append-only, and writes and reads of citizen data leave events."""

import pytest
from django.db import DatabaseError, connection, transaction

from cases import selectors
from cases.models import Journalnotat
from cases.services.borger import borger_update
from cases.services.sag import journalnotat_create
from cases.services.sagsaabning import formaal_set
from tests.factories import BorgerFactory, SagFactory, UserFactory
from vum.audit.context import RequestOrigin, current_origin
from vum.audit.models import AuditAction, AuditEvent
from vum.audit.redaction import marker
from vum.audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_events_cannot_be_changed_or_deleted_through_the_model(caseworker) -> None:
    event = audit_record(actor=caseworker, action=AuditAction.VIEW, summary="x")
    event.summary = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="rewritten")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == "x"


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_auditevent SET summary = 'x'", "DELETE FROM audit_auditevent"],
)
def test_the_database_refuses_changes_to_the_audit_table(caseworker, statement: str) -> None:
    audit_record(actor=caseworker, action=AuditAction.VIEW, summary="original")
    with (
        pytest.raises(DatabaseError, match="kan kun tilføjes rækker"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEvent.objects.filter(summary="original").exists()


def test_the_database_refuses_changes_to_journal_notes(caseworker) -> None:
    sag = SagFactory(team=caseworker.teams.get())
    notat = journalnotat_create(actor=caseworker, sag=sag, emne="Samtale", tekst="Tekst")
    with (
        pytest.raises(DatabaseError, match="kan kun tilføjes rækker"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE cases_journalnotat SET tekst = 'ændret'")
    assert Journalnotat.objects.get(pk=notat.pk).tekst == "Tekst"


def test_a_write_records_who_what_which_citizen_from_where_and_which_fields(caseworker) -> None:
    borger = BorgerFactory(adresse="Gammel vej 1", oprettet_af=caseworker)
    token = current_origin.set(RequestOrigin(ip_address="10.1.2.3", user_agent="Firefox"))
    try:
        borger_update(actor=caseworker, borger=borger, adresse="Ny vej 2")
    finally:
        current_origin.reset(token)
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.actor == caseworker
    assert event.borger_id == borger.pk
    assert event.object_type == "cases.Borger"
    assert event.object_id == str(borger.pk)
    assert event.ip_address == "10.1.2.3"
    assert event.user_agent == "Firefox"
    # The address itself is pointed to, never copied (vum/audit/redaction.py).
    assert event.changes == {"adresse": {"old": marker("Gammel vej 1"), "new": marker("Ny vej 2")}}
    assert "vej" not in str(event.changes)


def test_reads_are_audited(caseworker) -> None:
    sag = SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)
    selectors.borger_get(user=caseworker, pk=sag.borger.pk)
    selectors.sag_get(user=caseworker, pk=sag.pk)
    selectors.list_page_get(
        user=caseworker,
        rows=selectors.open_sager(user=caseworker, own=True),
        number=1,
        summary="Mine sager",
    )
    actions = list(
        AuditEvent.objects.filter(borger_id=sag.borger_id)
        .order_by("id")
        .values_list("action", "object_type")
    )
    assert actions == [
        (AuditAction.VIEW, "cases.Borger"),
        (AuditAction.VIEW, "cases.Sag"),
        (AuditAction.LIST, "cases.Sag"),
    ]


def test_a_cpr_search_is_audited_with_the_citizen_found(caseworker) -> None:
    borger = BorgerFactory(cpr="0101901234")
    found = selectors.borger_search(user=caseworker, query="010190-1234", formaal="ny-henvendelse")
    assert [hit.borger for hit in found] == [borger]
    event = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert event.borger_id == borger.pk
    assert event.changes == {"soegning": marker("010190-****"), "formaal": "ny-henvendelse"}


def test_the_citizens_log_lists_everything_about_one_citizen(caseworker) -> None:
    """The citizen's right of access: every event about them, from every kind of object."""
    sag = SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)
    other = SagFactory(team=caseworker.teams.get())
    journalnotat_create(actor=caseworker, sag=sag, emne="Samtale", tekst="...")
    formaal_set(actor=caseworker, sag=sag, formaal="Afklare behov")
    selectors.sag_get(user=caseworker, pk=sag.pk)
    selectors.sag_get(user=UserFactory(teams=[other.team]), pk=other.pk)

    log = AuditEvent.objects.for_borger(sag.borger_id)
    assert set(log.values_list("object_type", flat=True)) == {
        "cases.Journalnotat",
        "cases.Formaal",
        "cases.Sag",
    }
    assert not log.filter(object_id=str(other.pk), object_type="cases.Sag").exists()


def test_a_write_that_changes_nothing_is_still_a_read(caseworker) -> None:
    borger = BorgerFactory(oprettet_af=caseworker)
    borger_update(actor=caseworker, borger=borger)
    event = AuditEvent.objects.get(borger_id=borger.pk)
    assert event.action == AuditAction.VIEW
