"""Afgørelse: results per indsats, reasons without full medhold, the 14-week rule, the frozen
letter (read back from its PDF) sent through the dispatcher, and complaints through each
outcome. The Jørn letter from the handbook (scenarios.md) is the reference."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from assessment.letters import afgoerelse_letter_texts
from assessment.models import Afgoerelse, Brev, Forsendelse, Klage
from assessment.services.afgoerelse import Resultatlinje, afgoerelse_create, afgoerelse_send
from assessment.services.forsendelse import brev_dispatch
from assessment.services.klage import (
    klage_ankestyrelsens_afgoerelse,
    klage_genvurder,
    klage_register,
    klage_send_to_ankestyrelsen,
)
from cases.lifecycle import Fase
from cases.models import Henvendelse, Relation, Sag
from tests.catalogs import load_catalog
from tests.factories import RelationFactory, sag_in_phase
from tests.pdf import pdf_text
from vum import calendar
from vum.catalog.models import KommunalYdelse
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_create

# Jørn's case: he applied on 23 April 2026, the decision is of 29 May and is sent on 3 June.
pytestmark = [pytest.mark.django_db, pytest.mark.now("2026-06-03 10:00")]

SECTIONS = [
    "Resultat",
    "Begrundelse",
    "Særligt om dine synspunkter",
    "Indsatsformål og opfølgning",
    "Egenbetaling",
    "Retsregler og praksis",
    "Klagevejledning",
]


@pytest.fixture(autouse=True)
def catalog(db: None, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "viborg"
    settings.VUM_LETTER_DIR = tmp_path / "breve"
    load_catalog()


def ydelse(kode: str) -> KommunalYdelse:
    return KommunalYdelse.objects.current().get(kommune__slug="viborg", kode=kode)


@pytest.fixture
def jorn_case(caseworker) -> Sag:
    sag = sag_in_phase(Fase.AFGOERELSE, team=caseworker.teams.get(), sagsbehandler=caseworker)
    Henvendelse.objects.create(
        borger=sag.borger,
        kilde=Henvendelse.Kilde.BORGER,
        aarsag="Ansøgning om fortsat botilbud",
        team=sag.team,
        triage=Henvendelse.Triage.SAG,
        sag=sag,
        modtaget=date(2026, 4, 23),
        registreret_af=caseworker,
    )
    return sag


def jorn_decision(caseworker, sag: Sag, **kwargs) -> Afgoerelse:  # type: ignore[no-untyped-def]
    fields = {
        "begrundelse_vurdering": (
            "Du har en lettere mental retardering, diabetes 1 og overvægt. Vi vurderer, at du "
            "kan bo i egen bolig med støtte til post, økonomi, indkøb og madlavning."
        ),
        "begrundelse_oplysninger": "Statusnotat fra Bostedet Møllebo og dine egne oplysninger.",
        "begrundelse_regler": "Servicelovens § 107, stk. 2, nr. 1 og § 85.",
        "saerligt_om_synspunkter": (
            "Du har i partshøringen sagt, at du gerne vil blive boende på Møllebo. Vi har lagt "
            "vægt på, at du med støtte kan klare dig i egen bolig."
        ),
    }
    fields.update(kwargs)
    return afgoerelse_create(
        actor=caseworker,
        sag=sag,
        truffet_af=Afgoerelse.TruffetAf.SAGSBEHANDLER,
        form=Afgoerelse.Form.SKRIFTLIG,
        fuldt_medhold=False,
        truffet=date(2026, 5, 29),
        resultater=[
            Resultatlinje(
                beskrivelse="fortsat midlertidigt botilbud efter servicelovens § 107",
                resultat="afslag",
                virkningsdato=date(2026, 8, 1),
                kommunal_ydelse=ydelse("V-107"),
            ),
            Resultatlinje(
                beskrivelse="socialpædagogisk støtte efter servicelovens § 85",
                resultat="bevilget",
                omfang="6 timer om ugen",
                virkningsdato=date(2026, 8, 1),
                kommunal_ydelse=ydelse("V-85"),
            ),
        ],
        **fields,
    )


def test_the_jorn_letter_end_to_end(caseworker, jorn_case: Sag, tmp_path: Path) -> None:
    afgoerelse = jorn_decision(caseworker, jorn_case)
    texts = afgoerelse_letter_texts(afgoerelse=afgoerelse)
    assert "modtaget 23.04.2026" in texts["overskrift"]
    brev = afgoerelse_send(
        actor=caseworker,
        afgoerelse=afgoerelse,
        tekster={"indsatsformaal": "at du bor i egen bolig og har styr på din økonomi."},
    )
    text = pdf_text(bytes(brev.pdf))
    positions = [text.index(section) for section in SECTIONS]
    assert positions == sorted(positions), "the sections are in the handbook's order"
    assert "6 timer om ugen" in text
    assert "afslag på fortsat midlertidigt botilbud" in text
    assert "servicelovens § 85" in text
    assert "servicelovens § 107" in text
    assert "lovbekendtgørelse nr. 798" in text
    assert "fire uger" in text
    assert "Ankestyrelsen" in text
    assert "Bilag: lovtekst" in text
    assert "Du skal ikke betale" in text

    forsendelse = brev_dispatch(brev_id=brev.pk)
    assert Path(forsendelse.reference).read_bytes() == bytes(brev.pdf)
    assert brev_dispatch(brev_id=brev.pk) == forsendelse  # sent once
    afgoerelse.refresh_from_db()
    sent_day = timezone.localtime(forsendelse.sendt).date()
    assert afgoerelse.meddelt == sent_day
    assert afgoerelse.klagefrist == calendar.complaint_deadline(sent_day)


def test_full_medhold_needs_no_reasons_but_a_partial_refusal_does(caseworker, jorn_case) -> None:
    granted = afgoerelse_create(
        actor=caseworker,
        sag=jorn_case,
        truffet_af=Afgoerelse.TruffetAf.SAGSBEHANDLER,
        form=Afgoerelse.Form.SKRIFTLIG,
        fuldt_medhold=True,
        resultater=[
            Resultatlinje(
                beskrivelse="socialpædagogisk støtte",
                resultat="bevilget",
                omfang="6 timer om ugen",
                virkningsdato=date(2026, 8, 1),
                kommunal_ydelse=ydelse("V-85"),
            )
        ],
    )
    assert granted.pk
    with pytest.raises(ValidationError) as excinfo:
        jorn_decision(caseworker, jorn_case, begrundelse_vurdering="", begrundelse_regler="")
    assert {"begrundelse_vurdering", "begrundelse_regler"} <= set(excinfo.value.message_dict)
    with pytest.raises(ValidationError, match="Fuldt medhold forudsætter"):
        afgoerelse_create(
            actor=caseworker,
            sag=jorn_case,
            truffet_af=Afgoerelse.TruffetAf.SAGSBEHANDLER,
            form=Afgoerelse.Form.SKRIFTLIG,
            fuldt_medhold=True,
            resultater=[
                Resultatlinje(
                    beskrivelse="botilbud", resultat="afslag", virkningsdato=date(2026, 8, 1)
                )
            ],
        )


def test_a_reduction_under_96_takes_effect_14_weeks_after_notice(caseworker, jorn_case) -> None:
    told = date(2026, 6, 1)

    def reduce(effective: date) -> Afgoerelse:
        return afgoerelse_create(
            actor=caseworker,
            sag=jorn_case,
            truffet_af=Afgoerelse.TruffetAf.SAGSBEHANDLER,
            form=Afgoerelse.Form.SKRIFTLIG,
            fuldt_medhold=False,
            truffet=told,
            meddelt=told,
            begrundelse_vurdering="Behovet for hjælp er faldet.",
            begrundelse_regler="Servicelovens § 96.",
            resultater=[
                Resultatlinje(
                    beskrivelse="borgerstyret personlig assistance",
                    resultat="delvist_afslag",
                    omfang="30 timer om ugen i stedet for 40",
                    virkningsdato=effective,
                    kommunal_ydelse=ydelse("V-96"),
                    nedsaettelse=True,
                )
            ],
        )

    with pytest.raises(ValidationError, match="14 uger"):
        reduce(told + timedelta(weeks=10))
    assert reduce(told + timedelta(weeks=14)).pk


def test_an_oral_refusal_gives_the_citizen_14_days_to_ask_for_it_in_writing(
    caseworker, jorn_case
) -> None:
    told = timezone.localdate()
    afgoerelse_create(
        actor=caseworker,
        sag=jorn_case,
        truffet_af=Afgoerelse.TruffetAf.SAGSBEHANDLER,
        form=Afgoerelse.Form.MUNDTLIG,
        meddelt=told,
        fuldt_medhold=False,
        begrundelse_vurdering="Behovet dækkes af § 83.",
        begrundelse_regler="Servicelovens § 85.",
        resultater=[Resultatlinje(beskrivelse="bostøtte", resultat="afslag", virkningsdato=told)],
    )
    frist = Frist.objects.get(sag=jorn_case, art=Frist.Art.SKRIFTLIG_AFGOERELSE)
    assert timezone.localtime(frist.frist).date() == told + timedelta(days=14)


def test_the_sent_letter_is_frozen(caseworker, jorn_case) -> None:
    afgoerelse = jorn_decision(caseworker, jorn_case)
    brev = afgoerelse_send(actor=caseworker, afgoerelse=afgoerelse, tekster={})
    with (
        pytest.raises(DatabaseError, match="kan kun tilføjes rækker"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE assessment_brev SET sha256 = 'x'")
    with pytest.raises(ValidationError, match="en rettelse er et nyt brev"):
        afgoerelse_send(actor=caseworker, afgoerelse=afgoerelse, tekster={})
    correction = afgoerelse_send(
        actor=caseworker, afgoerelse=afgoerelse, tekster={"kontakt": "Ring til mig."}, retter=brev
    )
    assert correction.retter == brev
    assert Brev.objects.get(pk=brev.pk).sha256 == brev.sha256


def test_a_guardian_holding_the_rights_gets_the_letter_with_a_copy_to_the_citizen(
    caseworker, jorn_case
) -> None:
    RelationFactory(
        borger=jorn_case.borger,
        type=Relation.Type.VAERGE,
        vaergemaalsform="par5",
        navn="Karen Værge",
        varetager_partsrettigheder=True,
    )
    brev = afgoerelse_send(
        actor=caseworker, afgoerelse=jorn_decision(caseworker, jorn_case), tekster={}
    )
    assert brev.modtager_navn == "Karen Værge"
    assert brev.kopi_til == jorn_case.borger.navn
    assert f"Kopi til {jorn_case.borger.navn}" in pdf_text(bytes(brev.pdf))


def test_a_processing_deadline_is_met_when_the_letter_is_sent(caseworker, jorn_case) -> None:
    frist = frist_create(
        sag=jorn_case,
        art=Frist.Art.SAGSBEHANDLINGSFRIST,
        frist=timezone.now() + timedelta(days=5),
        beskrivelse="Afgørelse",
    )
    brev = afgoerelse_send(
        actor=caseworker, afgoerelse=jorn_decision(caseworker, jorn_case), tekster={}
    )
    brev_dispatch(brev_id=brev.pk)
    assert Frist.objects.get(pk=frist.pk).status == Frist.Status.OVERHOLDT
    assert Forsendelse.objects.filter(brev=brev).count() == 1


# Complaints


def sent_decision(caseworker, sag: Sag) -> Afgoerelse:  # type: ignore[no-untyped-def]
    afgoerelse = jorn_decision(caseworker, sag)
    brev_dispatch(brev_id=afgoerelse_send(actor=caseworker, afgoerelse=afgoerelse, tekster={}).pk)
    afgoerelse.refresh_from_db()
    return afgoerelse


def test_a_late_complaint_is_flagged_not_refused(caseworker, jorn_case) -> None:
    afgoerelse = sent_decision(caseworker, jorn_case)
    in_time = afgoerelse.klagefrist - timedelta(minutes=1)
    late = afgoerelse.klagefrist + timedelta(minutes=1)
    Afgoerelse.objects.filter(pk=afgoerelse.pk).update(
        meddelt=afgoerelse.meddelt - timedelta(days=60)
    )
    afgoerelse.refresh_from_db()
    old = klage_register(
        actor=caseworker,
        afgoerelse=afgoerelse,
        modtaget=timezone.now() - timedelta(minutes=1),
        kanal=Klage.Kanal.DIGITAL,
        tekst="Jeg vil blive på Møllebo.",
    )
    assert old.for_sent is True
    assert in_time < late  # the boundary itself is tested in tests/test_calendar.py


@pytest.mark.parametrize("outcome", ["stadfaestet", "aendret", "hjemvist", "ophaevet"])
def test_an_upheld_complaint_goes_to_ankestyrelsen(caseworker, jorn_case, outcome) -> None:
    afgoerelse = sent_decision(caseworker, jorn_case)
    klage = klage_register(
        actor=caseworker,
        afgoerelse=afgoerelse,
        modtaget=timezone.now(),
        kanal=Klage.Kanal.SKRIFTLIG,
        tekst="Jeg er uenig.",
    )
    assert klage.for_sent is False
    deadline = Frist.objects.get(sag=jorn_case, art=Frist.Art.KLAGE)
    assert timezone.localtime(deadline.frist).date() == calendar.add(
        timezone.localdate(), 4, calendar.Unit.WEEKS
    )
    with pytest.raises(ValidationError, match="ikke sendt til Ankestyrelsen"):
        klage_ankestyrelsens_afgoerelse(
            actor=caseworker, klage=klage, resultat=outcome, dato=timezone.localdate()
        )
    klage_genvurder(actor=caseworker, klage=klage, genvurdering="fastholdt")
    klage_send_to_ankestyrelsen(actor=caseworker, klage=klage, dato=timezone.localdate())
    assert Frist.objects.get(pk=deadline.pk).status == Frist.Status.OVERHOLDT
    done = klage_ankestyrelsens_afgoerelse(
        actor=caseworker, klage=klage, resultat=outcome, dato=timezone.localdate()
    )
    assert done.ankestyrelsens_afgoerelse == outcome


@pytest.mark.parametrize("genvurdering", ["medhold", "delvist_medhold"])
def test_medhold_gives_a_new_decision(caseworker, jorn_case, genvurdering) -> None:
    afgoerelse = sent_decision(caseworker, jorn_case)
    klage = klage_register(
        actor=caseworker,
        afgoerelse=afgoerelse,
        modtaget=timezone.now(),
        kanal=Klage.Kanal.MUNDTLIG,
        tekst="Jeg vil blive på Møllebo.",
    )
    with pytest.raises(ValidationError, match="ny afgørelse"):
        klage_genvurder(actor=caseworker, klage=klage, genvurdering=genvurdering)
    new = afgoerelse_create(
        actor=caseworker,
        sag=jorn_case,
        erstatter=afgoerelse,
        truffet_af=Afgoerelse.TruffetAf.SAGSBEHANDLER,
        form=Afgoerelse.Form.SKRIFTLIG,
        fuldt_medhold=genvurdering == "medhold",
        begrundelse_vurdering="Ny vurdering efter klagen.",
        begrundelse_regler="Servicelovens § 107.",
        resultater=[
            Resultatlinje(
                beskrivelse="fortsat midlertidigt botilbud",
                resultat="bevilget" if genvurdering == "medhold" else "delvist_afslag",
                virkningsdato=timezone.localdate(),
                kommunal_ydelse=ydelse("V-107"),
            )
        ],
    )
    done = klage_genvurder(
        actor=caseworker, klage=klage, genvurdering=genvurdering, ny_afgoerelse=new
    )
    assert done.ny_afgoerelse == new
    assert new.erstatter == afgoerelse


def test_a_complaint_cannot_be_received_in_the_future(caseworker, jorn_case) -> None:
    with pytest.raises(ValidationError, match="fremtiden"):
        klage_register(
            actor=caseworker,
            afgoerelse=sent_decision(caseworker, jorn_case),
            modtaget=timezone.now() + timedelta(hours=2),
            kanal=Klage.Kanal.SKRIFTLIG,
            tekst="x",
        )
