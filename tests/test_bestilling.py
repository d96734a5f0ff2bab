"""Bestilling: one per provider with only its goals, no order for § 100 or BPA, the handleplan
attachment by consent, the provider's answer, new versions that list what changed, and the
provider's delivery records (delmål, notes, magtanvendelse, requests)."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessment.models import Indsatsmaal
from cases.lifecycle import Fase, blockers
from cases.models import Sag, Samtykke
from cases.services.sagsaabning import samtykke_register
from orders.content import content_changes, order_plan
from orders.models import Anmodning, Bestilling, Delmaalsnotat, Magtanvendelse
from orders.services.bestilling import (
    bestilling_accept,
    bestilling_receive,
    bestilling_reject,
    bestillinger_send,
    handleplan_attachment,
    indsats_udfoerer_set,
)
from orders.services.handleplan import handleplan_finalise, handleplan_update
from orders.services.levering import (
    anmodning_answer,
    anmodning_create,
    delmaal_create,
    delmaal_set_status,
    delmaalsnotat_add,
    handling_add,
    leveringsnotat_add,
    magtanvendelse_report,
)
from tests.catalogs import load_catalog
from tests.factories import OrganisationFactory, SamtykkeFactory, UserFactory
from tests.mads import Mads, mads_decided, mads_time
from tests.pdf import pdf_text
from vum.access import Action, bestillinger_visible_to, borgere_visible_to, may
from vum.accounts.models import Role, User
from vum.catalog.models import Undertema
from vum.deadlines.models import Frist
from vum.notifications.models import Notifikation

pytestmark = [pytest.mark.django_db, mads_time]

UDREDNING_TEXT = "Jeg har omkring 100 venner"


@pytest.fixture(autouse=True)
def catalog(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "randers"
    load_catalog()


@pytest.fixture
def mads(caseworker) -> Mads:  # type: ignore[no-untyped-def]
    return mads_decided(caseworker)


def goal_texts(bestilling: Bestilling) -> list[str]:
    return [g["formulering"] for g in bestilling.indhold["maal"]]


def test_the_mads_bestilling_goes_to_x_hus_with_his_goals_only(caseworker, mads: Mads) -> None:
    (bestilling,) = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)

    assert bestilling.udfoerer == mads.x_hus
    assert bestilling.status == Bestilling.Status.SENDT
    assert [g["nr"] for g in bestilling.indhold["maal"]] == [1, 2, 3, 4]
    content = bestilling.indhold
    assert (
        content["indsatsformaal"] == "Jeg har stadig min lejlighed, og jeg har taget en uddannelse."
    )
    assert content["oensker"].startswith("Jeg vil gerne stoppe med at ryge hash")
    assert content["fund"]["stoettebehov"] == "Højt støttebehov"
    assert content["indsatser"][0]["p_nummer"] == "1012345678"
    assert content["pris_i_alt"] == "91000.00"  # 7 timer x 26 uger x 500 kr.
    assert content["baggrund"]["repraesentation"] == "Bisidder"
    assert content["opfoelgning"] == "3 måneder"
    text = pdf_text(bytes(bestilling.pdf))
    for heading in [
        "Baggrundsoplysninger",
        "Koordinering",
        "Centrale fund",
        "Indsatsmål",
        "Betaling",
    ]:
        assert heading in text
    assert "Jeg passer selv min lejlighed" in text
    assert UDREDNING_TEXT not in text
    assert UDREDNING_TEXT not in str(content)


def test_a_second_provider_gets_only_its_own_goal_and_indsats(caseworker) -> None:
    mads = mads_decided(caseworker, second_provider=True)
    sent = {b.udfoerer: b for b in bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)}

    x_hus, center = sent[mads.x_hus], sent[mads.other]
    assert [g["nr"] for g in x_hus.indhold["maal"]] == [1, 2, 4]
    assert [g["nr"] for g in center.indhold["maal"]] == [3]
    assert center.indhold["indsatser"][0]["ydelser"] == ["Støtte til sund levevis"]
    assert "Støtte til sund levevis" not in str(x_hus.indhold["indsatser"])
    assert "Jeg passer selv min lejlighed" not in str(center.indhold["maal"])
    assert center.indhold["koordinering"]["behov_for_koordinering"] is True

    staff = UserFactory(udfoerer=True, organisation=mads.other)
    assert list(bestillinger_visible_to(staff)) == [center]
    assert list(borgere_visible_to(staff)) == [mads.sag.borger]


def test_no_bestilling_for_100_or_bpa(caseworker, mads: Mads) -> None:
    from vum.catalog.models import Ydelse

    mads.indsats.ydelser.set([Ydelse.objects.current().get(navn="Dækning af merudgift")])
    mads.indsats.kommunal_ydelse = None
    mads.indsats.save()
    plan = order_plan(mads.afgoerelse)
    assert plan.udkast == []
    assert plan.uden_bestilling == [mads.indsats]
    with pytest.raises(ValidationError, match="§ 100 eller BPA"):
        bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)


def test_the_finance_function_and_the_provider_are_notified(caseworker, mads: Mads) -> None:
    finance = UserFactory(role=Role.OEKONOMI, teams=[], email="oekonomi@randers.dk")
    staff = UserFactory(udfoerer=True, organisation=mads.x_hus)
    (bestilling,) = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)

    notice = Notifikation.objects.get(modtager=finance)
    assert f"Bestilling nr. {bestilling.pk}" in notice.tekst
    assert "91000.00 kr." in notice.tekst
    assert "Mads" not in notice.tekst
    assert mads.sag.borger.cpr not in notice.tekst
    assert notice.email.til == "oekonomi@randers.dk"
    assert Notifikation.objects.filter(modtager=staff, titel__startswith="Ny bestilling").exists()
    assert may(finance, Action.VIEW_FINANCE)
    assert not may(caseworker, Action.VIEW_FINANCE)


def _finalised_plan(caseworker: User, mads: Mads) -> None:
    """Mads has a finalised handleplan that could go along with his order."""
    borger = mads.sag.borger
    handleplan_update(
        actor=caseworker, borger=borger, tilbudt=True, oensket=True, formaal="Egen bolig."
    )
    handleplan_finalise(actor=caseworker, borger=borger)


def test_consent_controls_the_handleplan_attachment(caseworker, mads: Mads) -> None:
    _finalised_plan(caseworker, mads)

    (without,) = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    assert without.vedlagt_handleplan == Bestilling.Vedlaeg.INGEN  # § 85, no consent
    assert without.bilag_pdf is None

    SamtykkeFactory(sag=mads.sag, til_tilbud=True, tilbud=mads.x_hus, registreret_af=caseworker)
    udkast = order_plan(mads.afgoerelse).udkast[0]
    assert handleplan_attachment(sag=mads.sag, udkast=udkast) == "hele"

    Samtykke.objects.update(tilbagekaldt=timezone.localdate())
    assert handleplan_attachment(sag=mads.sag, udkast=udkast) == "ingen"


@pytest.mark.parametrize(
    ("named", "covers"),
    [
        ({"tilbud": "x_hus"}, True),
        ({"tilbud": "other"}, False),
        ({}, True),  # to any tilbud
        ({"specifikation": "  socialpædagogisk  opholdssted x-hus "}, True),  # its name, typed
        ({"specifikation": "X-Hus"}, False),  # part of its name: another provider's, maybe
        ({"specifikation": "Hus"}, False),
    ],
)
def test_a_consent_to_share_covers_the_tilbud_it_names(
    caseworker, mads: Mads, named: dict[str, str], covers: bool
) -> None:
    """Only a consent naming this provider (or any tilbud) sends the whole handleplan along."""
    _finalised_plan(caseworker, mads)
    other = OrganisationFactory(navn="Hus og Have")
    fields: dict[str, object] = {"specifikation": named.get("specifikation", "")}
    if "tilbud" in named:
        fields["tilbud"] = mads.x_hus if named["tilbud"] == "x_hus" else other
    samtykke_register(
        actor=caseworker,
        sag=mads.sag,
        retning=Samtykke.Retning.VIDEREGIVELSE,
        part=Samtykke.Part.TILBUD,
        form=Samtykke.Form.SKRIFTLIGT,
        givet=timezone.localdate(),
        **fields,  # type: ignore[arg-type]
    )
    udkast = order_plan(mads.afgoerelse).udkast[0]
    assert handleplan_attachment(sag=mads.sag, udkast=udkast) == ("hele" if covers else "ingen")


def test_only_a_consent_to_a_tilbud_names_one(caseworker, mads: Mads) -> None:
    with pytest.raises(ValidationError, match="kun et tilbud"):
        samtykke_register(
            actor=caseworker,
            sag=mads.sag,
            retning=Samtykke.Retning.VIDEREGIVELSE,
            part=Samtykke.Part.EGEN_LAEGE,
            tilbud=mads.x_hus,
            form=Samtykke.Form.SKRIFTLIGT,
            givet=timezone.localdate(),
        )


def test_107_gets_the_relevant_parts_of_the_plan_without_consent(caseworker, mads: Mads) -> None:
    from vum.catalog.models import Tilbudstype

    borger = mads.sag.borger
    handleplan_update(
        actor=caseworker,
        borger=borger,
        oensket=True,
        formaal="Mads bor i egen bolig.",
        bolig="Lejlighed i Randers C.",
    )
    handleplan_finalise(actor=caseworker, borger=borger)
    mads.indsats.tilbudstype = Tilbudstype.objects.current().get(navn="Midlertidigt botilbud")
    mads.indsats.save()

    (bestilling,) = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    assert bestilling.vedlagt_handleplan == Bestilling.Vedlaeg.RELEVANTE_DELE
    excerpt = pdf_text(bytes(bestilling.bilag_pdf))
    assert "Uddrag af handleplan" in excerpt
    assert "Mads bor i egen bolig." in excerpt
    assert "Lejlighed i Randers C." not in excerpt  # særlige forhold are not a relevant part


def test_the_provider_answers_and_delivery_starts_when_all_have_accepted(caseworker) -> None:
    mads = mads_decided(caseworker, second_provider=True)
    sent = {b.udfoerer: b for b in bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)}
    x_staff = UserFactory(udfoerer=True, organisation=mads.x_hus)
    center_staff = UserFactory(udfoerer=True, organisation=mads.other)

    received = bestilling_receive(actor=x_staff, bestilling=sent[mads.x_hus])
    assert received.status == Bestilling.Status.MODTAGET
    assert received.modtaget is not None
    bestilling_accept(actor=x_staff, bestilling=received)
    sag = Sag.objects.get(pk=mads.sag.pk)
    assert sag.fase == Fase.BESTILLING
    assert blockers(sag, "start_levering") == [
        "Misbrugscenter Randers har ikke accepteret bestillingen (sendt)."
    ]

    with pytest.raises(Exception, match="ikke tilgængelig"):
        bestilling_accept(actor=x_staff, bestilling=sent[mads.other])
    bestilling_accept(actor=center_staff, bestilling=sent[mads.other])
    assert Sag.objects.get(pk=mads.sag.pk).fase == Fase.LEVERING

    with pytest.raises(ValidationError, match="allerede accepteret"):
        bestilling_receive(actor=center_staff, bestilling=sent[mads.other])


def test_a_refusal_goes_back_to_the_caseworker_who_orders_elsewhere(caseworker, mads: Mads) -> None:
    (bestilling,) = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    staff = UserFactory(udfoerer=True, organisation=mads.x_hus)
    with pytest.raises(ValidationError, match="hvorfor"):
        bestilling_reject(actor=staff, bestilling=bestilling, begrundelse="  ")
    assert Bestilling.objects.get(pk=bestilling.pk).status == Bestilling.Status.SENDT

    bestilling_reject(actor=staff, bestilling=bestilling, begrundelse="Ingen ledig plads.")
    notice = Notifikation.objects.get(modtager=caseworker, titel__startswith="Bestilling afvist")
    assert "Ingen ledig plads" not in notice.tekst  # the reason stays in the case
    assert not may(staff, Action.VIEW, bestilling)  # a refused order gives no access

    from tests.factories import OrganisationFactory

    other = OrganisationFactory(navn="Bostøtten Nord")
    indsats_udfoerer_set(actor=caseworker, indsats=mads.indsats, udfoerer=other)
    assert set(
        Indsatsmaal.objects.filter(vurdering=mads.vurdering).values_list("udfoerer", flat=True)
    ) == {other.pk}
    (again,) = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    assert again.udfoerer == other
    assert again.version == 1


def test_changed_goals_give_a_new_version_that_says_what_changed(caseworker, mads: Mads) -> None:
    (first,) = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    staff = UserFactory(udfoerer=True, organisation=mads.x_hus)
    bestilling_accept(actor=staff, bestilling=first)

    assert bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse) == []

    goal = mads.vurdering.maal.get(raekkefoelge=2)
    goal.forventet_niveau = 1
    goal.save()
    (second,) = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)

    first.refresh_from_db()
    assert first.status == Bestilling.Status.ERSTATTET
    assert second.version == 2
    assert second.erstatter == first
    assert second.status == Bestilling.Status.SENDT
    assert any("forventet niveau ændret fra 0 til 1" in c for c in second.aendringer)
    assert "Ændret siden version 1" in pdf_text(bytes(second.pdf))
    assert list(bestillinger_visible_to(staff)) == [second]
    assert Notifikation.objects.filter(
        modtager=staff, titel__startswith="Ændret bestilling"
    ).exists()


def test_content_changes_name_new_and_removed_goals() -> None:
    old = {"maal": [{"nr": 1, "formulering": "A"}, {"nr": 2, "formulering": "B"}], "indsatser": []}
    new = {"maal": [{"nr": 1, "formulering": "A"}, {"nr": 3, "formulering": "C"}], "indsatser": []}
    assert content_changes(old, new) == ["Nyt mål: C", "Mål udgået: B"]


# Levering


@pytest.fixture
def delivering(caseworker, mads: Mads):  # type: ignore[no-untyped-def]
    (bestilling,) = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    staff = UserFactory(udfoerer=True, organisation=mads.x_hus)
    bestilling_accept(actor=staff, bestilling=bestilling)
    return Bestilling.objects.get(pk=bestilling.pk), staff


def test_delmaal_with_handlinger_and_notes(caseworker, mads: Mads, delivering) -> None:
    bestilling, staff = delivering
    goals = list(mads.vurdering.maal.filter(raekkefoelge__in=[1, 4]))
    delmaal = delmaal_create(
        actor=staff,
        bestilling=bestilling,
        formulering="Jeg går i seng kl. 22 på hverdage",
        indsatsmaal=goals,
        tidsfrist=timezone.localdate() + timedelta(days=60),
    )
    assert set(delmaal.indsatsmaal.all()) == set(goals)
    handling_add(
        actor=staff, bestilling=bestilling, delmaal=delmaal, beskrivelse="Aftenrutine med alarm"
    )
    notat = delmaalsnotat_add(
        actor=staff, bestilling=bestilling, delmaal=delmaal, tekst="I seng 22.15 i aftes."
    )
    assert notat.dato == timezone.localdate()
    with pytest.raises(PermissionError):
        notat.save()
    with pytest.raises(ValidationError, match="frem i tiden"):
        delmaalsnotat_add(
            actor=staff,
            bestilling=bestilling,
            delmaal=delmaal,
            tekst="x",
            dato=timezone.localdate() + timedelta(days=1),
        )
    delmaal_set_status(actor=staff, bestilling=bestilling, delmaal=delmaal, status="naaet")
    assert Delmaalsnotat.objects.filter(delmaal=delmaal).count() == 1


def test_a_delmaal_links_only_to_the_bestillings_goals(caseworker, delivering) -> None:
    bestilling, staff = delivering
    elsewhere = mads_decided(UserFactory(teams=[caseworker.teams.get()]))
    with pytest.raises(ValidationError, match="bestillingens mål"):
        delmaal_create(
            actor=staff,
            bestilling=bestilling,
            formulering="Jeg smører madpakke hver aften",
            indsatsmaal=[elsewhere.vurdering.maal.first()],
        )
    with pytest.raises(ValidationError, match="mindst ét"):
        delmaal_create(actor=staff, bestilling=bestilling, formulering="x", indsatsmaal=[])


def test_a_caseworker_cannot_write_the_providers_records(
    caseworker, mads: Mads, delivering
) -> None:
    bestilling, _staff = delivering
    with pytest.raises(Exception, match="ikke tilgængelig"):
        delmaal_create(
            actor=caseworker,
            bestilling=bestilling,
            formulering="Jeg står op kl. 6.30",
            indsatsmaal=[mads.vurdering.maal.first()],
        )


def test_notes_are_tagged_with_sub_themes(delivering) -> None:
    bestilling, staff = delivering
    tag = Undertema.objects.current().get(navn="Indgå i samspil og kontakt")
    notat = leveringsnotat_add(
        actor=staff,
        bestilling=bestilling,
        tekst="Mads sagde fra over for en ven.",
        undertemaer=[tag],
    )
    assert list(notat.undertemaer.all()) == [tag]


def test_magtanvendelse_notifies_the_caseworker_at_once(caseworker, mads: Mads, delivering) -> None:
    bestilling, staff = delivering
    with pytest.raises(ValidationError):
        magtanvendelse_report(
            actor=staff, bestilling=bestilling, tidspunkt=timezone.now(), type="x", beskrivelse=""
        )
    report = magtanvendelse_report(
        actor=staff,
        bestilling=bestilling,
        tidspunkt=timezone.now() - timedelta(hours=2),
        type=Magtanvendelse.Type.FASTHOLDELSE,
        beskrivelse="Kortvarig fastholdelse for at undgå, at Mads slog sig.",
    )
    notice = Notifikation.objects.get(modtager=caseworker, kilde=f"magtanvendelse-{report.pk}")
    assert notice.titel == "Magtanvendelse indberettet: Mads M."
    assert "fastholdelse" not in notice.tekst.lower()
    assert list(Magtanvendelse.objects.filter(sag=mads.sag)) == [report]


def test_magtanvendelse_before_the_indsats_started_is_refused(mads: Mads, delivering) -> None:
    bestilling, staff = delivering
    before_start = timezone.make_aware(datetime.combine(bestilling.startdato, time(12, 0)))
    with pytest.raises(ValidationError) as refused:
        magtanvendelse_report(
            actor=staff,
            bestilling=bestilling,
            tidspunkt=before_start - timedelta(days=1),
            type=Magtanvendelse.Type.FASTHOLDELSE,
            beskrivelse="Året er tastet forkert.",
        )
    assert refused.value.message_dict["tidspunkt"] == [
        f"Tidspunktet ligger før indsatsen startede ({bestilling.startdato:%d.%m.%Y})."
    ]
    assert not Magtanvendelse.objects.filter(sag=mads.sag).exists()


def test_a_revisitation_request_is_a_task_with_a_deadline(
    caseworker, mads: Mads, delivering, settings
) -> None:
    bestilling, staff = delivering
    anmodning = anmodning_create(
        actor=staff,
        bestilling=bestilling,
        art=Anmodning.Art.REVISITATION,
        begrundelse="Mads har brug for flere timer om aftenen.",
    )
    frist = anmodning.frist
    assert frist is not None
    assert frist.art == Frist.Art.ANMODNING
    assert frist.ansvarlig == caseworker
    assert timezone.localtime(frist.frist).date() > timezone.localdate()
    assert Notifikation.objects.filter(
        modtager=caseworker, kilde=f"anmodning-{anmodning.pk}"
    ).exists()

    answered = anmodning_answer(
        actor=caseworker, anmodning=anmodning, svar="Vi tager det op ved opfølgningen."
    )
    frist.refresh_from_db()
    assert answered.besvaret is not None
    assert frist.status == Frist.Status.OVERHOLDT
    assert Notifikation.objects.filter(
        modtager=staff, titel__startswith="Svar på anmodning"
    ).exists()
    with pytest.raises(ValidationError, match="allerede besvaret"):
        anmodning_answer(actor=caseworker, anmodning=anmodning, svar="igen")


def test_access_ends_with_the_bestilling(caseworker, mads: Mads, delivering) -> None:
    bestilling, staff = delivering
    assert may(staff, Action.DELIVER, bestilling)
    Bestilling.objects.filter(pk=bestilling.pk).update(slutdato=date.today() - timedelta(days=1))
    assert not may(staff, Action.VIEW, bestilling)
    assert not borgere_visible_to(staff).exists()
    with pytest.raises(Exception, match="ikke tilgængelig"):
        leveringsnotat_add(actor=staff, bestilling=bestilling, tekst="For sent.")


def test_ordering_needs_a_communicated_grant(caseworker) -> None:
    from tests.factories import sag_in_phase

    sag = sag_in_phase(Fase.AFGOERELSE, team=caseworker.teams.get(), sagsbehandler=caseworker)
    assert blockers(sag, "start_bestilling") == ["Der er ingen afgørelse, der bevilger en indsats."]
