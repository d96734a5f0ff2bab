"""`manage.py seed_demo`: idempotent demo data, the Mads case opened through the real services."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import models
from django.utils import timezone

from assessment.models import Visitationsudvalg
from cases.lifecycle import Fase, blockers
from cases.models import (
    Aftale,
    Borger,
    Diagnose,
    Formaal,
    Henvendelse,
    Journalnotat,
    Relation,
    Sag,
    Samtykke,
)
from cases.services.sag import sag_transition
from orders.fhir import build_order_message, validate_order_message
from orders.models import Bestilling
from tooling.management.commands import seed_demo
from tooling.management.commands.seed_demo import DEMO_PASSWORD, MADS_CPR
from vum import calendar
from vum.accounts.models import Organisation, Role, Team, User
from vum.audit.models import AuditAction, AuditEvent
from vum.catalog.models import Ansoegningstype
from vum.deadlines.models import Frist

pytestmark = pytest.mark.django_db

COUNTED: list[type[models.Model]] = [
    Team,
    Organisation,
    User,
    Visitationsudvalg,
    Borger,
    Relation,
    Henvendelse,
    Sag,
    Diagnose,
    Formaal,
    Samtykke,
    Aftale,
    Frist,
    Journalnotat,
    AuditEvent,
]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in COUNTED}


def test_running_twice_changes_nothing_the_second_time() -> None:
    first = seed()
    after_first = counts()
    hashes = dict(User.objects.values_list("username", "password"))

    second = seed()

    assert counts() == after_first
    assert dict(User.objects.values_list("username", "password")) == hashes
    assert "oprettet" in first
    assert "findes allerede" in second


def test_prints_the_logins_with_the_shared_password() -> None:
    output = seed()
    for username in ("sagsbehandler", "psykiatri", "udfoerer", "visitation", "leder", "admin"):
        assert username in output
    assert DEMO_PASSWORD in output


def test_a_demo_user_for_every_role() -> None:
    seed()
    users = {u.username: u for u in User.objects.all()}
    assert {u.role for u in users.values()} == set(Role.values)
    for user in users.values():
        assert user.check_password(DEMO_PASSWORD)
        user.full_clean()

    assert set(Team.objects.values_list("navn", flat=True)) >= {
        "Handicap",
        "Psykiatri",
        "Særlig Social Indsats",
    }
    assert [t.navn for t in users["sagsbehandler"].teams.all()] == ["Handicap"]
    assert [t.navn for t in users["psykiatri"].teams.all()] == ["Psykiatri"]
    assert sorted(t.navn for t in users["leder"].teams.all()) == ["Handicap", "Psykiatri"]
    assert users["udfoerer"].organisation is not None
    assert users["udfoerer"].organisation.navn == "Socialpædagogisk opholdssted X-Hus"
    assert (
        Visitationsudvalg.objects.get(navn="Visitationsudvalget")
        .medlemmer.filter(pk=users["visitation"].pk)
        .exists()
    )
    admin = users["admin"]
    assert admin.is_staff
    assert not admin.is_superuser
    assert admin.has_perm("accounts.change_user")
    assert admin.has_perm("audit.view_auditevent")
    assert not admin.has_perm("cases.view_sag")


def test_the_mads_case_is_opened_and_ready_for_sagsoplysning() -> None:
    seed()
    mads = Borger.objects.get(cpr=MADS_CPR)
    sag = Sag.objects.get(borger=mads)
    sb = User.objects.get(username="sagsbehandler")

    assert sag.team.navn == "Handicap"
    assert sag.sagsbehandler == sb
    assert sag.fase == Fase.SAGSAABNING
    assert {(d.icd10, d.stillet_af) for d in sag.diagnoser.all()} == {
        ("F 95.2", "Børne- og ungdomspsykiatrisk hus"),
        ("F 92.9", "Børne- og ungdomspsykiatrisk hus"),
        ("F 83.9", "Speciallæge"),
    }
    henvendelse = sag.henvendelser.get()
    assert henvendelse.kilde == Henvendelse.Kilde.ANDRE
    assert henvendelse.kilde_navn == "FGU / Rusmiddelcenter"
    assert henvendelse.triage == Henvendelse.Triage.SAG

    aabning = sag.sagsaabning
    assert aabning.borger_indforstaaet is True
    assert aabning.informeret_om_elektronisk_registrering is True
    assert aabning.vaergemaal is False
    assert aabning.repraesenteret is True
    assert aabning.repraesentationsform == "bisidder"
    assert "Malene" in aabning.fuldmagt
    assert aabning.oensker_for_fremtiden.startswith("Jeg vil gerne stoppe med at ryge hash")
    assert "misbrug" in sag.formaal_versioner.get().analysespoergsmaal

    mother = mads.relationer.get(relation="mor")
    assert mother.navn == "Malene Holm"
    assert mother.fuldmagt
    assert mads.relationer.filter(relation="far").exists()
    samtykke = sag.samtykker.get()
    assert samtykke.part == Samtykke.Part.SPECIALLAEGE
    assert samtykke.is_active
    assert sag.aftaler.count() == 1
    assert sag.frister.filter(status=Frist.Status.AABEN, art=Frist.Art.AFTALE).count() == 1
    assert sag.journalnotater.count() == 1

    assert blockers(sag, "start_sagsoplysning") == []
    moved = sag_transition(actor=sb, sag=sag, name="start_sagsoplysning")
    assert moved.fase == Fase.SAGSOPLYSNING


def test_every_write_about_mads_is_audited() -> None:
    seed()
    mads = Borger.objects.get(cpr=MADS_CPR)
    events = AuditEvent.objects.for_borger(mads.pk)
    audited = set(events.values_list("object_type", flat=True))
    assert {
        "cases.Borger",
        "cases.Relation",
        "cases.Henvendelse",
        "cases.Sag",
        "cases.Sagsaabning",
        "cases.Formaal",
        "cases.Diagnose",
        "cases.Samtykke",
        "cases.Aftale",
        "cases.Journalnotat",
    } <= audited
    assert events.filter(object_type="cases.Diagnose", action=AuditAction.CREATE).count() == 3
    assert set(events.values_list("actor_label", flat=True)) == {"sagsbehandler"}
    assert set(events.values_list("user_agent", flat=True)) == {"manage.py seed_demo"}


def processing_deadline(sag: Sag) -> Frist:
    return sag.frister.get(status=Frist.Status.AABEN, art=Frist.Art.SAGSBEHANDLINGSFRIST)


def test_mads_applies_for_randers_85_and_the_case_has_its_processing_deadline() -> None:
    seed()
    sag = Sag.objects.get(borger__cpr=MADS_CPR)
    assert sag.kommunal_ydelse is not None
    assert sag.kommunal_ydelse.kode == "R-85"
    assert sag.kommunal_ydelse.kommune.slug == "randers"
    assert sag.ansoegningstype == Ansoegningstype.NY

    frist = processing_deadline(sag)
    assert "R-85" in frist.regel
    received = sag.henvendelser.get().modtaget
    # Randers: 8 weeks from receiving the application, moved to a working day if it is closed.
    assert timezone.localtime(frist.frist).date() == calendar.add(received, 8, "uger")
    assert frist.ansvarlig == User.objects.get(username="sagsbehandler")
    assert frist.varsler.filter(leveret__isnull=True, annulleret=False).exists()

    seed()  # a second run leaves the one deadline as it is
    assert processing_deadline(sag).pk == frist.pk


def test_in_viborg_mads_applies_for_viborgs_85(settings) -> None:
    settings.VUM_MUNICIPALITY = "viborg"
    seed()
    sag = Sag.objects.get(borger__cpr=MADS_CPR)
    assert sag.kommunal_ydelse is not None
    assert sag.kommunal_ydelse.kode == "V-85"
    frist = processing_deadline(sag)
    received = sag.henvendelser.get().modtaget
    # Viborg: 6 weeks for a new application.
    assert timezone.localtime(frist.frist).date() == calendar.add(received, 6, "uger")


def test_fails_clearly_when_the_catalog_lacks_the_85_service(monkeypatch) -> None:
    monkeypatch.setitem(seed_demo.SECTION_85_CODES, "randers", "R-999")
    with pytest.raises(CommandError, match="R-999"):
        seed()
    assert not Borger.objects.filter(cpr=MADS_CPR).exists()  # nothing half-seeded


def test_fails_clearly_for_a_municipality_it_does_not_know(settings) -> None:
    settings.VUM_MUNICIPALITY = "aarhus"
    with pytest.raises(CommandError, match="aarhus"):
        seed()


def test_the_demo_bestilling_can_be_fetched_as_an_ffb_order_message() -> None:
    seed()
    bestilling = Bestilling.objects.get()
    message = build_order_message(bestilling, base_url="http://127.0.0.1:8000")
    validate_order_message(message)  # raises with the reasons if it is not valid
    assert message["resourceType"] == "Bundle"
    assert message["type"] == "message"
