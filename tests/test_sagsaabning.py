"""Opening a case: citizen registration, triage, the sagsåbning fields, consent and the journal.

Dates are relative to the suite's instant (tests/clock.py), except the withdrawn consent, which
is pinned: a meeting a week ahead, a consent given tomorrow refused. None of the rules depends
on which day today is.
"""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import (
    Aftale,
    Borger,
    Diagnose,
    Formaal,
    Henvendelse,
    Journalnotat,
    Sag,
    Samtykke,
)
from cases.services.borger import borger_create
from cases.services.henvendelse import henvendelse_register
from cases.services.sag import journalnotat_create
from cases.services.sagsaabning import (
    formaal_set,
    sagsaabning_row_add,
    sagsaabning_row_delete,
    sagsaabning_update,
    samtykke_register,
    samtykke_withdraw,
)
from tests.factories import BorgerFactory, SagFactory, UserFactory
from vum.access import NotFoundForUser
from vum.audit.models import AuditAction, AuditEvent
from vum.audit.redaction import marker
from vum.deadlines.models import Frist

pytestmark = pytest.mark.django_db


@pytest.fixture
def sag(caseworker) -> Sag:
    return SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)


def test_borger_create_normalises_and_audits(caseworker) -> None:
    borger = borger_create(
        actor=caseworker, cpr="150590-1234", fornavn=" Mads ", efternavn="Jensen"
    )
    assert borger.cpr == "1505901234"
    assert borger.navn == "Mads Jensen"
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, borger_id=borger.pk, object_type="cases.Borger"
    ).exists()


@pytest.mark.parametrize(
    ("cpr", "message"),
    [
        ("15059012", "10 cifre"),
        ("310290-1234", "gyldig fødselsdato"),
        ("150590-12345", "10 cifre"),
    ],
)
def test_borger_create_refuses_a_bad_cpr(caseworker, cpr: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        borger_create(actor=caseworker, cpr=cpr, fornavn="A", efternavn="B")
    assert not Borger.objects.exists()


def test_borger_create_refuses_a_duplicate_cpr(caseworker) -> None:
    BorgerFactory(cpr="1505901234")
    with pytest.raises(ValidationError) as excinfo:
        borger_create(actor=caseworker, cpr="150590-1234", fornavn="A", efternavn="B")
    assert excinfo.value.message_dict == {
        "cpr": ["Der findes allerede en borger med dette CPR-nummer."]
    }


def test_only_caseworkers_register_citizens() -> None:
    with pytest.raises(NotFoundForUser):
        borger_create(actor=UserFactory(leder=True), cpr="1505901234", fornavn="A", efternavn="B")


@pytest.mark.parametrize(
    ("triage", "extra", "opens_case"),
    [
        (Henvendelse.Triage.RAADGIVNING, {"triage_notat": "Vejledt om klubtilbud."}, False),
        (Henvendelse.Triage.HENVIST, {"henvist_til": "Jobcentret"}, False),
        (Henvendelse.Triage.SAG, {}, True),
        (Henvendelse.Triage.KLAR_SAG, {}, True),
    ],
)
def test_triage_outcomes(caseworker, triage: str, extra: dict, opens_case: bool) -> None:
    borger = BorgerFactory(oprettet_af=caseworker)
    henvendelse = henvendelse_register(
        actor=caseworker,
        borger=borger,
        kilde=Henvendelse.Kilde.BORGER,
        aarsag="Borgeren ønsker hjælp.",
        team=caseworker.teams.get(),
        triage=triage,
        **extra,
    )
    assert (henvendelse.sag is not None) is opens_case
    assert Sag.objects.filter(borger=borger).exists() is opens_case
    if henvendelse.sag:
        assert henvendelse.sag.sagsbehandler == caseworker
        assert henvendelse.sag.sagsaabning.klar_sag is (triage == Henvendelse.Triage.KLAR_SAG)
    assert AuditEvent.objects.filter(object_type="cases.Henvendelse", borger_id=borger.pk).exists()


@pytest.mark.parametrize(
    ("triage", "field"),
    [(Henvendelse.Triage.RAADGIVNING, "triage_notat"), (Henvendelse.Triage.HENVIST, "henvist_til")],
)
def test_advice_and_referral_must_say_what_was_done(caseworker, triage: str, field: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        henvendelse_register(
            actor=caseworker,
            borger=BorgerFactory(oprettet_af=caseworker),
            kilde=Henvendelse.Kilde.BORGER,
            aarsag="Spørgsmål",
            team=caseworker.teams.get(),
            triage=triage,
        )
    assert field in excinfo.value.message_dict
    assert not Henvendelse.objects.exists()


def test_an_enquiry_goes_only_to_the_caseworkers_own_team(caseworker) -> None:
    with pytest.raises(ValidationError, match="egne teams"):
        henvendelse_register(
            actor=caseworker,
            borger=BorgerFactory(oprettet_af=caseworker),
            kilde=Henvendelse.Kilde.BORGER,
            aarsag="Spørgsmål",
            team=UserFactory().teams.get(),
            triage=Henvendelse.Triage.SAG,
        )


def test_an_unknown_kilde_is_refused(caseworker) -> None:
    with pytest.raises(ValidationError) as excinfo:
        henvendelse_register(
            actor=caseworker,
            borger=BorgerFactory(oprettet_af=caseworker),
            kilde="naboen",
            aarsag="Spørgsmål",
            team=caseworker.teams.get(),
            triage=Henvendelse.Triage.SAG,
        )
    assert "kilde" in excinfo.value.message_dict


def test_sagsaabning_update_validates_and_records_old_and_new(caseworker, sag: Sag) -> None:
    with pytest.raises(ValidationError) as excinfo:
        sagsaabning_update(actor=caseworker, sag=sag, vaergemaal=True)
    assert "vaergemaalsform" in excinfo.value.message_dict

    sagsaabning_update(
        actor=caseworker,
        sag=sag,
        vaergemaal=True,
        vaergemaalsform="par5",
        oensker_for_fremtiden="Jeg vil gerne have styr på det hele.",
    )
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="cases.Sagsaabning")
    assert event.borger_id == sag.borger_id
    assert event.changes["vaergemaal"] == {"old": None, "new": True}
    assert event.changes["oensker_for_fremtiden"]["new"] == marker(
        "Jeg vil gerne have styr på det hele."
    )

    with pytest.raises(ValidationError, match="findes ikke"):
        sagsaabning_update(actor=caseworker, sag=sag, fase="afsluttet")


def test_formaal_is_versioned(caseworker, sag: Sag) -> None:
    formaal_set(actor=caseworker, sag=sag, formaal="Første formål")
    formaal_set(
        actor=caseworker,
        sag=sag,
        formaal="Andet formål",
        analysespoergsmaal="Hvilken støtte er nødvendig?",
    )
    versions = list(Formaal.objects.filter(sag=sag).values_list("formaal", flat=True))
    assert versions == ["Andet formål", "Første formål"]
    with pytest.raises(ValidationError):
        formaal_set(actor=caseworker, sag=sag, formaal="  ")


def test_diagnoses_need_an_icd10_code(caseworker, sag: Sag) -> None:
    for code in ("F 95.2", "F95.2", "F92"):
        sagsaabning_row_add(
            actor=caseworker,
            sag=sag,
            model=Diagnose,
            diagnose="Tourettes syndrom",
            icd10=code,
            stillet_af="Børne- og ungdomspsykiatrisk hus",
        )
    with pytest.raises(ValidationError) as excinfo:
        sagsaabning_row_add(
            actor=caseworker, sag=sag, model=Diagnose, diagnose="x", icd10="95.2", stillet_af="y"
        )
    assert "icd10" in excinfo.value.message_dict
    assert Diagnose.objects.filter(sag=sag).count() == 3


def test_an_agreed_meeting_becomes_the_next_deadline(caseworker, sag: Sag) -> None:
    when = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=7), datetime.min.time())
    )
    aftale = sagsaabning_row_add(
        actor=caseworker,
        sag=sag,
        model=Aftale,
        tidspunkt=when,
        sted="Borgerens hjem",
        deltagere="Mads, mor",
        emne="Hjemmebesøg",
    )
    frist = Frist.objects.get(sag=sag)
    assert (frist.frist, frist.status) == (when, Frist.Status.AABEN)
    sagsaabning_row_delete(actor=caseworker, row=aftale)
    assert Frist.objects.get(sag=sag).status == Frist.Status.ANNULLERET
    assert not Aftale.objects.filter(sag=sag).exists()


@pytest.mark.now("2026-10-15 10:00")  # given 3 September, withdrawn today
def test_consent_is_registered_and_withdrawn(caseworker, sag: Sag) -> None:
    samtykke = samtykke_register(
        actor=caseworker,
        sag=sag,
        retning=Samtykke.Retning.INDHENTELSE,
        part=Samtykke.Part.SPECIALLAEGE,
        specifikation="Speciallæge i psykiatri",
        form=Samtykke.Form.SKRIFTLIGT,
        givet=date(2026, 9, 3),
    )
    assert samtykke.is_active
    assert list(Samtykke.objects.active()) == [samtykke]

    with pytest.raises(ValidationError, match="før det er givet"):
        samtykke_withdraw(actor=caseworker, samtykke=samtykke, tilbagekaldt=date(2026, 9, 1))
    samtykke_withdraw(
        actor=caseworker,
        samtykke=samtykke,
        tilbagekaldt=timezone.localdate(),
        begrundelse="Borgeren ringede",
    )
    assert not Samtykke.objects.active().exists()
    assert Samtykke.objects.active(on=date(2026, 10, 1)).get() == samtykke
    with pytest.raises(ValidationError, match="allerede tilbagekaldt"):
        samtykke_withdraw(actor=caseworker, samtykke=samtykke, tilbagekaldt=timezone.localdate())


def test_consent_cannot_be_given_in_the_future(caseworker, sag: Sag) -> None:
    with pytest.raises(ValidationError, match="fremtiden"):
        samtykke_register(
            actor=caseworker,
            sag=sag,
            retning=Samtykke.Retning.VIDEREGIVELSE,
            part=Samtykke.Part.TILBUD,
            form=Samtykke.Form.MUNDTLIGT,
            givet=timezone.localdate() + timedelta(days=1),
        )


def test_journal_notes_are_signed_immutable_and_corrected_by_new_notes(caseworker, sag) -> None:
    note = journalnotat_create(
        actor=caseworker, sag=sag, emne="Telefonsamtale", tekst="Mor ringede mandag."
    )
    assert note.underskrift.startswith(caseworker.get_full_name())
    note.tekst = "ændret"
    with pytest.raises(PermissionError):
        note.save()
    with pytest.raises(PermissionError):
        note.delete()

    correction = journalnotat_create(
        actor=caseworker, sag=sag, emne="Rettelse", tekst="Mor ringede tirsdag.", retter=note
    )
    assert Journalnotat.objects.get(pk=note.pk).tekst == "Mor ringede mandag."
    assert Journalnotat.objects.get(pk=note.pk).rettet_af == correction
    with pytest.raises(ValidationError, match="allerede rettet"):
        journalnotat_create(actor=caseworker, sag=sag, emne="Igen", tekst="...", retter=note)
    other = SagFactory(team=sag.team)
    with pytest.raises(ValidationError, match="samme sag"):
        journalnotat_create(
            actor=caseworker, sag=other, emne="Forkert", tekst="...", retter=correction
        )


def test_a_leader_cannot_write_in_the_journal(sag: Sag) -> None:
    with pytest.raises(NotFoundForUser):
        journalnotat_create(
            actor=UserFactory(leder=True, teams=[sag.team]), sag=sag, emne="x", tekst="y"
        )
