"""Indstilling and the visitationsudvalg: which decisions go to the committee, the indstilling as
a PDF, the botilbud rule, monthly meetings, each outcome, and the minutes.

Meetings are relative to the suite's instant (tests/clock.py): a meeting today takes items and
outcomes on any day. "Three months ahead" is pinned on both sides of a month's meeting.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessment.models import (
    Dagsordenspunkt,
    Indstilling,
    Kompetenceregel,
    Udvalgsmoede,
)
from assessment.services.partshoering import partshoering_send
from assessment.services.udredning import funktionsevne_score, tema_oplysning_save, udredning_start
from assessment.services.udvalg import (
    indstilling_create,
    indstilling_send_to_committee,
    tilbud_add,
    udvalg_outcome_record,
    udvalgsmoede_close,
    udvalgsmoeder_plan,
)
from assessment.services.vurdering import (
    decision_route,
    indsats_add,
    maal_add,
    maalgrupper_set,
    prislinje_add,
    sagsvurdering_start,
    sagsvurdering_update,
    stoettebehov_set,
    yearly_cost,
)
from assessment.tasks import plan_committee_meetings
from cases.lifecycle import Fase
from cases.models import Sag
from cases.services.sag import TransitionBlocked, sag_transition
from tests.catalogs import load_catalog
from tests.factories import UserFactory, VisitationsudvalgFactory, sag_in_phase
from tests.pdf import pdf_text
from vum import calendar
from vum.access import NotFoundForUser
from vum.catalog.models import (
    KommunalYdelse,
    Kommune,
    Maalgruppe,
    Maaltype,
    Tema,
    Tilbudstype,
    Undertema,
    Visitationsudfald,
    Ydelse,
)
from vum.deadlines.models import Frist
from vum.notifications.models import Notifikation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def catalog(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "viborg"
    load_catalog()


def current(model, **kwargs):  # type: ignore[no-untyped-def]
    return model.objects.current().get(**kwargs)


def assessed_case(caseworker, *, kode: str = "V-85", tilbud: str = "Mobilt tilbud") -> Sag:
    """A case in sagsvurdering with a complete assessment granting `kode` at `tilbud`, priced at
    10 hours a week at 500 kr. (260.000 kr. a year)."""
    sag = sag_in_phase(Fase.SAGSOPLYSNING, team=caseworker.teams.get(), sagsbehandler=caseworker)
    udredning = udredning_start(actor=caseworker, sag=sag)
    tema_oplysning_save(
        actor=caseworker,
        udredning=udredning,
        tema=current(Tema, navn="Praktiske opgaver"),
        fra_borgeren="Jeg kan ikke overskue at gøre rent.",
    )
    funktionsevne_score(
        actor=caseworker,
        udredning=udredning,
        undertema=current(Undertema, navn="Gøre rent"),
        vaerdi=3,
    )
    sag = sag_transition(actor=caseworker, sag=sag, name="start_sagsvurdering")
    vurdering = sagsvurdering_start(actor=caseworker, sag=sag)
    sagsvurdering_update(
        actor=caseworker,
        vurdering=vurdering,
        vurdering_af_situation="Borgeren har brug for støtte til praktiske opgaver.",
        indsatsformaal="Jeg klarer selv rengøringen.",
        berettiget=True,
        berettigelse_begrundelse="Betydeligt nedsat funktionsevne.",
        handleplan_tilbudt=True,
        handleplan_oensket=False,
    )
    maal_add(
        actor=caseworker,
        vurdering=vurdering,
        maalformulering="Jeg gør selv rent en gang om ugen",
        maaltype=current(Maaltype, navn="Udvikle funktionsevne"),
        primaert_undertema=current(Undertema, navn="Gøre rent"),
        forventet_niveau=2,
        timer_pr_uge=Decimal(10),
    )
    stoettebehov_set(actor=caseworker, vurdering=vurdering, vaerdi=2)
    daily = current(Ydelse, navn="Støtte til daglige opgaver i hjemmet")
    indsats = indsats_add(
        actor=caseworker,
        vurdering=vurdering,
        ydelser=[daily],
        kommunal_ydelse=KommunalYdelse.objects.current().get(kommune__slug="viborg", kode=kode),
        tilbudstype=current(Tilbudstype, navn=tilbud),
    )
    prislinje_add(
        actor=caseworker,
        indsats=indsats,
        ydelse=daily,
        enhed="time",
        antal_pr_periode=Decimal(10),
        frekvens="uge",
        gentagelser=52,
        enhedspris=Decimal(500),
    )
    maalgrupper_set(
        actor=caseworker,
        vurdering=vurdering,
        primaer=current(Maalgruppe, navn="Mobilitetsnedsættelse"),
    )
    return Sag.objects.get(pk=sag.pk)


@pytest.fixture
def committee():  # type: ignore[no-untyped-def]
    member = UserFactory(udvalgsmedlem=True)
    udvalg = VisitationsudvalgFactory(moede_ugedag=1, moede_uge=2)
    udvalg.medlemmer.add(member)
    moede = Udvalgsmoede.objects.create(
        udvalg=udvalg,
        dato=timezone.localdate(),  # today: items are sent to it, and its outcomes recorded
    )
    return member, udvalg, moede


def on_agenda(caseworker, sag: Sag, moede: Udvalgsmoede) -> Dagsordenspunkt:
    indstilling = indstilling_create(
        actor=caseworker, sag=sag, indstilling="Det indstilles, at borgeren bevilges § 85-støtte."
    )
    return indstilling_send_to_committee(actor=caseworker, indstilling=indstilling, moede=moede)


def test_the_caseworker_decides_alone_unless_a_rule_says_otherwise(caseworker) -> None:
    sag = assessed_case(caseworker)
    vurdering = sag.sagsvurderinger.get()
    assert yearly_cost(vurdering=vurdering) == Decimal("260000")
    assert decision_route(vurdering=vurdering).visitationsudvalg is False

    Kompetenceregel.objects.create(
        kommune=Kommune.objects.get(slug="viborg"), beloebsgraense_pr_aar=Decimal(200000)
    )
    route = decision_route(vurdering=vurdering)
    assert route.visitationsudvalg is True
    assert route.reasons == [
        "Den årlige udgift på 260.000 kr. overstiger grænsen på 200.000 kr. (alle ydelser)."
    ]


def test_a_temporary_botilbud_goes_to_the_committee_by_the_catalog(caseworker) -> None:
    sag = assessed_case(caseworker, kode="V-107", tilbud="Midlertidigt botilbud")
    route = decision_route(vurdering=sag.sagsvurderinger.get())
    assert route.reasons == ["V-107 afgøres af visitationsudvalget efter kataloget."]


def test_the_indstilling_pdf_has_the_sections(caseworker, committee) -> None:
    _member, _udvalg, moede = committee
    punkt = on_agenda(caseworker, assessed_case(caseworker), moede)
    indstilling = Indstilling.objects.get(pk=punkt.indstilling_id)
    assert indstilling.status == Indstilling.Status.PAA_DAGSORDEN
    text = pdf_text(bytes(indstilling.pdf))
    for heading in (
        "Baggrundsoplysninger",
        "Centrale oplysninger fra udredningen",
        "Indsatsformål og indsatsmål",
        "Indstilling til indsats eller afslag",
        "Handleplan, støttebehov og målgruppe",
    ):
        assert heading in text
    assert "Jeg gør selv rent en gang om ugen" in text
    assert "260.000 kr." in text


def test_a_botilbud_needs_three_offers_with_price(caseworker, committee) -> None:
    _member, _udvalg, moede = committee
    sag = assessed_case(caseworker, kode="V-107", tilbud="Midlertidigt botilbud")
    indstilling = indstilling_create(actor=caseworker, sag=sag, indstilling="Botilbud.")
    for navn, pris in (("Bostedet Møllebo", 650000), ("Sukkerdalen", 700000)):
        tilbud_add(
            actor=caseworker, indstilling=indstilling, tilbud=navn, pris_pr_aar=Decimal(pris)
        )
    with pytest.raises(ValidationError, match="3 relevante tilbud"):
        indstilling_send_to_committee(actor=caseworker, indstilling=indstilling, moede=moede)
    tilbud_add(
        actor=caseworker,
        indstilling=indstilling,
        tilbud="Botilbuddet Åen",
        pris_pr_aar=Decimal(610000),
    )
    punkt = indstilling_send_to_committee(actor=caseworker, indstilling=indstilling, moede=moede)
    assert punkt.sag == sag


def test_monthly_meetings_are_planned_once(committee) -> None:
    _member, udvalg, _moede = committee
    first = udvalgsmoeder_plan(udvalg=udvalg, months=3)
    again = udvalgsmoeder_plan(udvalg=udvalg, months=3)
    assert [m.pk for m in first] == [m.pk for m in again]
    assert len(first) == 3
    for moede in first:
        assert calendar.is_working_day(moede.dato)
        assert moede.dato >= timezone.localdate()
        # The second Tuesday of its month, unless that was a closed day.
        assert moede.dato.weekday() == 1 or not calendar.is_working_day(
            moede.dato - timedelta(days=(moede.dato.weekday() - 1) % 7)
        )


# "Three months ahead" is the next three monthly meetings: this month's while it is still to come.
# The committee meets on the second Tuesday: 8 December 2026, 12 January, 9 February, 9 March 2027.
@pytest.mark.parametrize(
    "expected",
    [
        pytest.param(
            [date(2026, 12, 8), date(2027, 1, 12), date(2027, 2, 9)],
            id="this-months-meeting-ahead",
            marks=pytest.mark.now("2026-12-01 10:00"),
        ),
        pytest.param(
            [date(2026, 12, 8), date(2027, 1, 12), date(2027, 2, 9)],
            id="on-the-meeting-day",
            marks=pytest.mark.now("2026-12-08 10:00"),
        ),
        pytest.param(
            [date(2027, 1, 12), date(2027, 2, 9), date(2027, 3, 9)],
            id="this-months-meeting-held",
            marks=pytest.mark.now("2026-12-09 10:00"),
        ),
    ],
)
def test_three_months_ahead_is_always_the_next_three_meetings(expected: list[date]) -> None:
    udvalg = VisitationsudvalgFactory(moede_ugedag=1, moede_uge=2)
    planned = udvalgsmoeder_plan(udvalg=udvalg)
    assert plan_committee_meetings() == 3
    assert [m.dato for m in planned] == expected
    assert sorted(Udvalgsmoede.objects.filter(udvalg=udvalg).values_list("dato", flat=True)) == (
        expected
    )


@pytest.mark.parametrize(
    ("slug", "fields", "fase", "status"),
    [
        ("godkendes", {}, Fase.AFGOERELSE, Indstilling.Status.GODKENDT),
        (
            "godkendes-med-aendringer",
            {"aendringer": "8 timer om ugen i stedet for 10."},
            Fase.AFGOERELSE,
            Indstilling.Status.GODKENDT,
        ),
        (
            "afvises-og-der-meddeles-afslag",
            {"begrundelse": "Borgerens behov kan dækkes af § 83."},
            Fase.AFGOERELSE,
            Indstilling.Status.AFVIST,
        ),
        (
            "returneres-til-raadgiver-til-yderligere-belysning",
            {"begrundelse": "Indhent udtalelse fra egen læge."},
            Fase.SAGSVURDERING,
            Indstilling.Status.RETURNERET,
        ),
    ],
)
def test_each_committee_outcome(caseworker, committee, slug, fields, fase, status) -> None:
    member, _udvalg, moede = committee
    punkt = on_agenda(caseworker, assessed_case(caseworker), moede)
    udfald = current(Visitationsudfald, slug=slug)
    udvalg_outcome_record(actor=member, punkt=punkt, udfald=udfald, **fields)

    sag = Sag.objects.get(pk=punkt.sag_id)
    assert sag.fase == fase
    assert Indstilling.objects.get(pk=punkt.indstilling_id).status == status
    written = Frist.objects.filter(sag=sag, art=Frist.Art.SKRIFTLIG_AFGOERELSE)
    if fase == Fase.AFGOERELSE:
        due = timezone.localtime(written.get().frist).date()
        assert due == calendar.add_working_days(moede.dato, 5)  # Viborg: 5 working days
    else:
        assert not written.exists()
        note = Notifikation.objects.get(modtager=caseworker)
        assert note.link == f"/sager/{sag.pk}/"
        # The reasons are case content: on the agenda item, not in a notification or e-mail.
        assert "Indhent udtalelse fra egen læge." not in note.tekst
        assert Dagsordenspunkt.objects.get(pk=punkt.pk).begrundelse == fields["begrundelse"]
    with pytest.raises(ValidationError, match="allerede registreret"):
        udvalg_outcome_record(actor=member, punkt=punkt, udfald=udfald, **fields)


@pytest.mark.parametrize(
    ("slug", "field"),
    [
        ("godkendes-med-aendringer", "aendringer"),
        ("returneres-til-raadgiver-til-yderligere-belysning", "begrundelse"),
        ("afvises-og-der-meddeles-afslag", "begrundelse"),
    ],
)
def test_outcomes_that_need_an_explanation(caseworker, committee, slug, field) -> None:
    member, _udvalg, moede = committee
    punkt = on_agenda(caseworker, assessed_case(caseworker), moede)
    with pytest.raises(ValidationError) as excinfo:
        udvalg_outcome_record(
            actor=member, punkt=punkt, udfald=current(Visitationsudfald, slug=slug)
        )
    assert field in excinfo.value.message_dict


def test_only_the_committees_members_record_outcomes(caseworker, committee) -> None:
    _member, _udvalg, moede = committee
    punkt = on_agenda(caseworker, assessed_case(caseworker), moede)
    other_committee_member = UserFactory(udvalgsmedlem=True)
    VisitationsudvalgFactory().medlemmer.add(other_committee_member)
    godkendes = current(Visitationsudfald, slug="godkendes")
    for user in (
        other_committee_member,
        caseworker,
        UserFactory(leder=True, teams=[punkt.sag.team]),
    ):
        with pytest.raises(NotFoundForUser):
            udvalg_outcome_record(actor=user, punkt=punkt, udfald=godkendes)
    assert Sag.objects.get(pk=punkt.sag_id).fase == Fase.SAGSVURDERING


def test_a_returned_indstilling_can_go_to_a_later_meeting(caseworker, committee) -> None:
    member, udvalg, moede = committee
    punkt = on_agenda(caseworker, assessed_case(caseworker), moede)
    udvalg_outcome_record(
        actor=member,
        punkt=punkt,
        udfald=current(Visitationsudfald, slug="returneres-til-raadgiver-til-yderligere-belysning"),
        begrundelse="Mangler prisoverslag.",
    )
    later = Udvalgsmoede.objects.create(udvalg=udvalg, dato=moede.dato + timedelta(days=28))
    indstilling = Indstilling.objects.get(pk=punkt.indstilling_id)
    again = indstilling_send_to_committee(actor=caseworker, indstilling=indstilling, moede=later)
    assert again.moede == later


def test_the_minutes_need_every_outcome_and_are_a_pdf(caseworker, committee) -> None:
    member, _udvalg, moede = committee
    punkt = on_agenda(caseworker, assessed_case(caseworker), moede)
    with pytest.raises(ValidationError, match="udfald"):
        udvalgsmoede_close(actor=member, moede=moede)
    udvalg_outcome_record(
        actor=member, punkt=punkt, udfald=current(Visitationsudfald, slug="godkendes")
    )
    with pytest.raises(NotFoundForUser):
        udvalgsmoede_close(actor=caseworker, moede=moede)
    closed = udvalgsmoede_close(actor=member, moede=moede)
    text = pdf_text(bytes(closed.referat_pdf))
    assert "Udfald: Godkendes" in text
    assert punkt.sag.borger.navn in text


def test_the_daily_task_plans_every_committees_meetings(committee) -> None:
    _member, udvalg, _moede = committee
    assert plan_committee_meetings() == 3
    assert plan_committee_meetings() == 3  # the same three meetings again
    assert Udvalgsmoede.objects.filter(udvalg=udvalg, dato__gte=timezone.localdate()).count() >= 3


def test_the_case_waits_while_its_indstilling_is_on_an_agenda(caseworker, committee) -> None:
    _member, udvalg, moede = committee
    punkt = on_agenda(caseworker, assessed_case(caseworker), moede)
    sag, indstilling = punkt.sag, Indstilling.objects.get(pk=punkt.indstilling_id)
    vurdering = sag.sagsvurderinger.get()
    with pytest.raises(ValidationError, match="dagsorden"):
        sagsvurdering_update(actor=caseworker, vurdering=vurdering, indsatsformaal="Nyt")
    with pytest.raises(ValidationError, match="dagsorden"):
        indstilling_create(actor=caseworker, sag=sag, indstilling="En anden indstilling")
    with pytest.raises(ValidationError, match="kladde eller er returneret"):
        tilbud_add(
            actor=caseworker, indstilling=indstilling, tilbud="Sent tilbud", pris_pr_aar=Decimal(1)
        )
    later = Udvalgsmoede.objects.create(udvalg=udvalg, dato=moede.dato + timedelta(days=28))
    with pytest.raises(ValidationError, match="dagsorden"):
        indstilling_send_to_committee(actor=caseworker, indstilling=indstilling, moede=later)


def test_a_returned_case_cannot_go_twice_on_the_same_meeting(caseworker, committee) -> None:
    member, _udvalg, moede = committee
    punkt = on_agenda(caseworker, assessed_case(caseworker), moede)
    udvalg_outcome_record(
        actor=member,
        punkt=punkt,
        udfald=current(Visitationsudfald, slug="returneres-til-raadgiver-til-yderligere-belysning"),
        begrundelse="Uddyb behovet.",
    )
    indstilling = Indstilling.objects.get(pk=punkt.indstilling_id)
    with pytest.raises(ValidationError, match="allerede på dagsordenen"):
        indstilling_send_to_committee(actor=caseworker, indstilling=indstilling, moede=moede)


def test_an_outcome_that_cannot_move_the_case_is_refused_with_the_reason(
    caseworker, committee
) -> None:
    member, _udvalg, moede = committee
    punkt = on_agenda(caseworker, assessed_case(caseworker), moede)
    # A hearing sent after the item went on the agenda (allowed: hearings are not frozen).
    partshoering_send(
        actor=caseworker,
        sag=punkt.sag,
        hvad_hoeres="Nye oplysninger fra egen læge.",
        modtager="borger",
        svarfrist=timezone.localdate() + timedelta(days=14),
    )
    with pytest.raises(ValidationError) as excinfo:
        udvalg_outcome_record(
            actor=member, punkt=punkt, udfald=current(Visitationsudfald, slug="godkendes")
        )
    assert any("afventer svar" in m for m in excinfo.value.message_dict["udfald"])
    assert Dagsordenspunkt.objects.get(pk=punkt.pk).udfald is None
    assert Sag.objects.get(pk=punkt.sag_id).fase == Fase.SAGSVURDERING


def test_a_committee_case_cannot_be_decided_by_the_caseworker_alone(caseworker, committee) -> None:
    member, _udvalg, moede = committee
    sag = assessed_case(caseworker, kode="V-107", tilbud="Midlertidigt botilbud")
    with pytest.raises(TransitionBlocked) as excinfo:
        sag_transition(actor=caseworker, sag=sag, name="start_afgoerelse")
    assert excinfo.value.reasons == [
        "Sagen skal forelægges visitationsudvalget: V-107 afgøres af visitationsudvalget efter "
        "kataloget."
    ]
    indstilling = indstilling_create(actor=caseworker, sag=sag, indstilling="Botilbud.")
    for navn in ("Møllebo", "Sukkerdalen", "Åen"):
        tilbud_add(
            actor=caseworker, indstilling=indstilling, tilbud=navn, pris_pr_aar=Decimal(600000)
        )
    punkt = indstilling_send_to_committee(actor=caseworker, indstilling=indstilling, moede=moede)
    udvalg_outcome_record(
        actor=member, punkt=punkt, udfald=current(Visitationsudfald, slug="godkendes")
    )
    assert Sag.objects.get(pk=sag.pk).fase == Fase.AFGOERELSE


def test_outcomes_are_recorded_at_the_meeting_not_before(caseworker, committee) -> None:
    member, _udvalg, moede = committee
    Udvalgsmoede.objects.filter(pk=moede.pk).update(dato=timezone.localdate() + timedelta(days=7))
    moede.refresh_from_db()
    punkt = on_agenda(caseworker, assessed_case(caseworker), moede)
    godkendes = current(Visitationsudfald, slug="godkendes")
    with pytest.raises(ValidationError, match="registreres på mødet eller derefter"):
        udvalg_outcome_record(actor=member, punkt=punkt, udfald=godkendes)
    with pytest.raises(ValidationError, match="afsluttes først da"):
        udvalgsmoede_close(actor=member, moede=moede)
    assert Dagsordenspunkt.objects.get(pk=punkt.pk).udfald is None
    assert Sag.objects.get(pk=punkt.sag_id).fase == Fase.SAGSVURDERING

    Udvalgsmoede.objects.filter(pk=moede.pk).update(dato=timezone.localdate())  # the day comes
    udvalg_outcome_record(actor=member, punkt=punkt, udfald=godkendes)
    assert Sag.objects.get(pk=punkt.sag_id).fase == Fase.AFGOERELSE


def test_a_closed_meeting_takes_no_new_items_or_outcomes(caseworker, committee) -> None:
    member, _udvalg, moede = committee
    punkt = on_agenda(caseworker, assessed_case(caseworker), moede)
    udvalg_outcome_record(
        actor=member, punkt=punkt, udfald=current(Visitationsudfald, slug="godkendes")
    )
    udvalgsmoede_close(actor=member, moede=moede)
    sag = assessed_case(caseworker)
    indstilling = indstilling_create(actor=caseworker, sag=sag, indstilling="Sent")
    with pytest.raises(ValidationError, match="kommende møde"):
        indstilling_send_to_committee(actor=caseworker, indstilling=indstilling, moede=moede)
