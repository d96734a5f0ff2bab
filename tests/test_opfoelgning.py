"""Opfølgning: the schedule from goals, catalog and law (the 2-year ceiling, § 100 yearly),
the timeline of deadlines with warnings, the statusnotat, the follow-up form with the
personrettet tilsyn, and each outcome: continue, revise goals, revisitation, end, moving away."""

import io
import json
import zipfile
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessment.models import Afgoerelse, Brev, Sagsvurdering
from assessment.services.forsendelse import brev_dispatch
from cases.lifecycle import Fase
from cases.models import Borger, Journalnotat, Sag
from cases.services.sag import TransitionBlocked, sag_transition
from followup.models import Opfoelgning, Opfoelgningsskema
from followup.scheduling import next_follow_up
from followup.services.opfoelgning import (
    open_follow_up,
    opfoelgning_call,
    opfoelgning_cancel,
    opfoelgning_plan,
    plan_missing_follow_ups,
    statusnotat_save,
)
from followup.services.skema import (
    magtanvendelser_in_period,
    previous_held_at,
    skema_blockers,
    skema_start,
    skema_update,
)
from followup.services.udfald import (
    opfoelgning_continue,
    opfoelgning_end,
    opfoelgning_move_away,
    opfoelgning_revise_goals,
    opfoelgning_revisitation,
)
from orders.models import Bestilling, Handleplan, Magtanvendelse
from orders.services.bestilling import bestilling_accept, bestillinger_send
from orders.services.levering import magtanvendelse_report
from tests.catalogs import load_catalog
from tests.clock import local_instant
from tests.factories import SamtykkeFactory, UserFactory
from tests.mads import Mads, mads_decided, mads_heard_before_the_end, mads_time
from tests.pdf import pdf_text
from vum import calendar
from vum.access import Action, may
from vum.audit.models import AuditEvent
from vum.catalog.models import (
    Fremadrettet,
    KommunalYdelse,
    StatusPaaIndsats,
    Stoettebehov,
    Ydelse,
)
from vum.deadlines.models import Frist
from vum.deadlines.services import varsler_deliver_due
from vum.notifications.models import Notifikation

pytestmark = [pytest.mark.django_db, mads_time]

CONTINUE = "Træf afgørelse om fortsættelse af indsats"


@pytest.fixture(autouse=True)
def catalog(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "randers"
    load_catalog()


@pytest.fixture
def delivering(caseworker):  # type: ignore[no-untyped-def]
    """Mads in levering with X-Hus, whose staff member is returned with the case."""
    mads = mads_decided(caseworker)
    (order,) = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    staff = UserFactory(udfoerer=True, organisation=mads.x_hus)
    bestilling_accept(actor=staff, bestilling=order)
    return mads, staff


def moderat() -> Stoettebehov:
    return Stoettebehov.objects.current().get(navn="Moderat støttebehov")


def test_the_first_mads_follow_up_is_three_months_after_start(caseworker, delivering) -> None:
    mads, staff = delivering
    opfoelgning = opfoelgning_plan(actor=caseworker, sag=mads.sag)

    # Start 1 October 2026; at the latest 3 months on is New Year's Day, a holiday, and
    # nytårsaftensdag is closed: "senest" comes back to the working day before, 30 December.
    assert opfoelgning.dato == date(2026, 12, 30)
    assert opfoelgning.grundlag == "Fælles opfølgning for målene: 3 måneder"
    assert opfoelgning.udfoerer == mads.x_hus
    timeline = {f.art: f for f in opfoelgning.frister.all()}
    assert timezone.localtime(timeline["statusnotat"].frist).date() == date(2026, 12, 16)
    assert timeline["statusnotat"].ansvarlig_udfoerer == mads.x_hus
    assert timeline["statusnotat_gennemgang"].ansvarlig == caseworker
    assert timezone.localtime(timeline["opfoelgning"].frist).date() == date(2026, 12, 30)
    assert timezone.localtime(timeline["opfoelgningsskema"].frist).date() == date(2027, 1, 13)
    assert Notifikation.objects.filter(
        modtager=staff, titel__startswith="Opfølgning planlagt"
    ).exists()

    # The statusnotat's warnings reach the provider's staff, the others the caseworker.
    delivered = varsler_deliver_due(now=timeline["opfoelgningsskema"].frist + timedelta(days=1))
    assert delivered > 0
    assert Notifikation.objects.filter(modtager=staff, titel__contains="statusnotat").exists()
    assert Notifikation.objects.filter(
        modtager=caseworker, titel__contains="opfølgningsskema"
    ).exists()
    assert opfoelgning_plan(actor=caseworker, sag=mads.sag) == opfoelgning  # once


def test_planning_is_a_daily_task_that_is_safe_to_repeat(caseworker, delivering) -> None:
    mads, _staff = delivering
    assert plan_missing_follow_ups() == 1
    assert plan_missing_follow_ups() == 0
    assert Opfoelgning.objects.filter(sag=mads.sag).count() == 1


def _only_the_service_rule(mads: Mads, **indsats_fields) -> Afgoerelse:  # type: ignore[no-untyped-def]
    Sagsvurdering.objects.filter(pk=mads.vurdering.pk).update(faelles_opfoelgning="")
    for name, value in indsats_fields.items():
        setattr(mads.indsats, name, value)
    mads.indsats.save()
    return Afgoerelse.objects.get(pk=mads.afgoerelse.pk)


def test_never_later_than_two_years(caseworker) -> None:
    mads = mads_decided(caseworker)
    decision = _only_the_service_rule(mads, kommunal_ydelse=None)
    forslag = next_follow_up(afgoerelse=decision, after=date(2027, 3, 1), first=False)
    assert forslag.dato == date(2029, 3, 1)
    assert forslag.grundlag == "Senest 2 år efter seneste opfølgning"


def test_section_100_is_followed_up_yearly(caseworker) -> None:
    mads = mads_decided(caseworker)
    decision = _only_the_service_rule(mads, kommunal_ydelse=None)
    mads.indsats.ydelser.set([Ydelse.objects.current().get(navn="Dækning af merudgift")])
    forslag = next_follow_up(afgoerelse=decision, after=date(2027, 3, 1), first=False)
    assert forslag.dato == date(2028, 3, 1)
    assert forslag.grundlag.startswith("§ 100")


def test_the_catalog_rule_viborg_107_four_months_then_at_most_twelve(caseworker) -> None:
    mads = mads_decided(caseworker)
    v107 = KommunalYdelse.objects.current().get(kommune__slug="viborg", kode="V-107")
    decision = _only_the_service_rule(mads, kommunal_ydelse=v107)
    first = next_follow_up(afgoerelse=decision, after=date(2027, 2, 1), first=True)
    later = next_follow_up(afgoerelse=decision, after=date(2027, 6, 1), first=False)
    assert first.dato == date(2027, 6, 1)
    assert "første opfølgning senest efter 4 måneder" in first.grundlag
    assert later.dato == date(2028, 6, 1)
    # Randers § 85: first within 3 months, then every 3-6 months. "Within" is at the latest:
    # 1 May 2027 is a Saturday and 1 August a Sunday, so the Fridays before.
    r85 = KommunalYdelse.objects.current().get(kommune__slug="randers", kode="R-85")
    decision = _only_the_service_rule(mads, kommunal_ydelse=r85)
    assert next_follow_up(afgoerelse=decision, after=date(2027, 2, 1), first=True).dato == date(
        2027, 4, 30
    )
    assert next_follow_up(afgoerelse=decision, after=date(2027, 2, 1), first=False).dato == date(
        2027, 7, 30
    )


def _meeting(caseworker, staff, mads: Mads) -> Opfoelgning:  # type: ignore[no-untyped-def]
    opfoelgning = opfoelgning_plan(actor=caseworker, sag=mads.sag)
    when = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=20), time(10))
    )
    return opfoelgning_call(
        actor=staff,
        opfoelgning=opfoelgning,
        tidspunkt=when,
        form=Opfoelgning.Form.MOEDE,
        sted="Hjemme hos Mads",
        deltagere="Mads, Malene og Torben (forældre), Lise Berg (leder, X-Hus)",
    )


def _tilsyn(**overrides):  # type: ignore[no-untyped-def]
    fields = {
        "form": Opfoelgningsskema.Form.MOEDE,
        "samlet_konklusion": "Mads er godt i gang; indsatsen fortsætter.",
        "status_paa_indsats": StatusPaaIndsats.objects.current().get(navn=CONTINUE),
        "stoettebehov_efter": moderat(),
        "tilsyn_gennemfoert": True,
        "trives": True,
        "magtanvendelser_i_perioden": False,
        "tilsyn_konklusion": "Mads trives hos X-Hus.",
        "moedt_borgeren": True,
        "borger_enig": True,
    }
    fields.update(overrides)
    return fields


def _all_goals(skema: Opfoelgningsskema, fremadrettet: str = "Mål uændret") -> dict:  # type: ignore[type-arg]
    keep = Fremadrettet.objects.current().get(navn=fremadrettet)
    return {
        row.indsatsmaal_id: {
            "nyt_niveau": row.overfoert_niveau,
            "fremadrettet": keep,
            "sagsbehandlers_vurdering": "Arbejdet går som aftalt.",
        }
        for row in skema.maal.all()
    }


def test_the_mads_follow_up_continues_the_indsats(caseworker, delivering) -> None:
    mads, staff = delivering
    Sagsvurdering.objects.filter(pk=mads.vurdering.pk).update(stoettebehov=moderat())
    opfoelgning = _meeting(caseworker, staff, mads)
    assert opfoelgning.status == Opfoelgning.Status.INDKALDT

    goal2 = mads.vurdering.maal.get(raekkefoelge=2)
    with pytest.raises(ValidationError, match="mål 1, 3, 4"):
        statusnotat_save(
            actor=staff,
            opfoelgning=opfoelgning,
            maal={goal2.pk: {"vurdering_af_arbejdet": "Mads siger oftere fra."}},
            indsend=True,
        )
    note = statusnotat_save(
        actor=staff,
        opfoelgning=opfoelgning,
        maal={
            g.pk: {
                "vurdering_af_arbejdet": "Vi arbejder med det ugentligt.",
                "maalopfyldelse": "Delvist",
            }
            for g in mads.vurdering.maal.all()
        },
        vaesentlige_aendringer="Ingen.",
        indsend=True,
    )
    assert note.indsendt is not None
    assert opfoelgning.frister.get(art="statusnotat").status == Frist.Status.OVERHOLDT

    skema = skema_start(actor=caseworker, opfoelgning=opfoelgning)
    assert Sag.objects.get(pk=mads.sag.pk).fase == Fase.OPFOELGNING
    row2 = skema.maal.get(indsatsmaal=goal2)
    assert (row2.overfoert_niveau, row2.overfoert_forventet) == (2, 0)  # goal (2): 2 → 0
    assert skema.stoettebehov_foer == moderat()

    next_date = opfoelgning.dato + timedelta(days=91)
    skema = skema_update(
        actor=caseworker, skema=skema, maal=_all_goals(skema), naeste_dato=next_date, **_tilsyn()
    )
    assert skema.maal.get(indsatsmaal=goal2).nyt_niveau == 2
    following = opfoelgning_continue(actor=caseworker, skema=skema)

    sag = Sag.objects.get(pk=mads.sag.pk)
    assert sag.fase == Fase.LEVERING
    assert following.dato == calendar.next_working_day(next_date)
    assert following.grundlag.startswith("Aftalt ved opfølgningen")
    assert Journalnotat.objects.filter(sag=sag, emne__contains="fortsættelse").exists()
    skema.refresh_from_db()
    assert skema.udfald == "fortsaet"
    assert (skema.stoettebehov_foer, skema.stoettebehov_efter) == (moderat(), moderat())
    assert not opfoelgning.frister.filter(status=Frist.Status.AABEN).exists()
    # Mads wants a handleplan (his sagsvurdering says so) though none is saved yet: the promise
    # is kept with a deadline for a new plan.
    assert not Handleplan.objects.filter(borger=sag.borger).exists()
    plan_due = Frist.objects.get(sag=sag, art=Frist.Art.HANDLEPLAN, status=Frist.Status.AABEN)
    assert plan_due.beskrivelse == "Ny handleplan efter opfølgningen"


def test_the_form_needs_the_tilsyn_and_meeting_the_citizen(caseworker, delivering) -> None:
    mads, staff = delivering
    skema = skema_start(actor=caseworker, opfoelgning=_meeting(caseworker, staff, mads))
    skema = skema_update(
        actor=caseworker,
        skema=skema,
        maal=_all_goals(skema),
        **_tilsyn(tilsyn_gennemfoert=None, trives=None, moedt_borgeren=False),
    )
    reasons = skema_blockers(skema)
    assert "Det personrettede tilsyn skal være gennemført." in reasons
    assert "Tilsyn: angiv om borgeren trives." in reasons
    assert any("Du har ikke mødt borgeren" in r for r in reasons)
    with pytest.raises(ValidationError):
        opfoelgning_continue(actor=caseworker, skema=skema)

    skema = skema_update(
        actor=caseworker,
        skema=skema,
        **_tilsyn(
            moedt_borgeren=False,
            ikke_moedt_begrundelse="Mads var syg; mødet blev holdt med forældrene.",
            nyt_moede=timezone.localdate() + timedelta(days=14),
        ),
    )
    assert skema_blockers(skema) == []


def test_anders_does_not_thrive_and_is_revisited(caseworker, delivering) -> None:
    mads, staff = delivering
    skema = skema_start(actor=caseworker, opfoelgning=_meeting(caseworker, staff, mads))
    skema = skema_update(
        actor=caseworker,
        skema=skema,
        maal=_all_goals(skema, "Mål skal afsluttes"),
        **_tilsyn(trives=False, borger_enig=None),
    )
    assert "Tilsyn: beskriv hvorfor borgeren ikke trives." in skema_blockers(skema)
    skema = skema_update(
        actor=caseworker,
        skema=skema,
        trivsel_bemaerkninger="Borgeren trives ikke; bostedet beder om 15 timer ekstra om ugen.",
        tilsyn_konklusion="Der skal laves en ny udredning.",
        status_paa_indsats=StatusPaaIndsats.objects.current().get(
            navn="Træf afgørelse om afslutning af indsats og visiter til ny"
        ),
    )
    with pytest.raises(ValidationError, match="ikke er enig"):
        opfoelgning_continue(actor=caseworker, skema=skema)
    sag = opfoelgning_revisitation(
        actor=caseworker, skema=skema, begrundelse="Ny udredning: Anders trives ikke på bostedet."
    )
    assert sag.fase == Fase.SAGSOPLYSNING
    assert Bestilling.objects.filter(sag=sag).active().count() == 1  # delivery goes on meanwhile


def test_revised_goals_give_the_provider_a_new_bestilling_version(caseworker, delivering) -> None:
    mads, staff = delivering
    skema = skema_start(actor=caseworker, opfoelgning=_meeting(caseworker, staff, mads))
    goals = _all_goals(skema)
    goal3 = mads.vurdering.maal.get(raekkefoelge=3)
    goals[goal3.pk]["fremadrettet"] = Fremadrettet.objects.current().get(navn="Mål skal revideres")
    skema = skema_update(actor=caseworker, skema=skema, maal=goals, **_tilsyn())
    (version2,) = opfoelgning_revise_goals(
        actor=caseworker,
        skema=skema,
        maal={goal3.pk: {"maalformulering": "Jeg ryger ikke hash og træner to gange om ugen"}},
    )
    assert version2.version == 2
    assert any("målformulering ændret" in c for c in version2.aendringer)
    assert Sag.objects.get(pk=mads.sag.pk).fase == Fase.LEVERING
    assert may(staff, Action.VIEW, version2)


def test_ending_the_indsats_ends_the_order_and_the_providers_access(caseworker, delivering) -> None:
    mads, staff = delivering
    skema = skema_start(actor=caseworker, opfoelgning=_meeting(caseworker, staff, mads))
    skema = skema_update(
        actor=caseworker,
        skema=skema,
        maal=_all_goals(skema, "Mål skal afsluttes"),
        **_tilsyn(
            status_paa_indsats=StatusPaaIndsats.objects.current().get(
                navn="Træf afgørelse om afslutning af indsats"
            ),
            borger_enig=None,
        ),
    )
    end = timezone.localdate() + timedelta(days=30)

    def end_it(virkningsdato: date = end) -> Afgoerelse:
        return opfoelgning_end(
            actor=caseworker,
            skema=skema,
            virkningsdato=virkningsdato,
            begrundelse_vurdering="Mads har nået sine mål og klarer sig selv.",
            begrundelse_regler="Servicelovens § 85.",
        )

    with pytest.raises(ValidationError, match="tilbage i tid"):
        end_it(timezone.localdate() - timedelta(days=1))  # no end back in time
    with pytest.raises(ValidationError, match="R-85 skal partshøres"):
        end_it()  # Randers' catalog asks for a hearing before R-85 ends
    mads_heard_before_the_end(caseworker, mads.sag)
    decision = end_it()
    assert decision.erstatter == mads.afgoerelse
    assert decision.resultater.get().resultat == "ophoer"
    letter = pdf_text(bytes(Brev.objects.get(afgoerelse=decision).pdf))
    assert "Mads har nået sine mål" in letter
    assert f"Indsatsen ophører den {end.day}." in letter
    for wrong in ("afslag", "din henvendelse modtaget", "Vi følger op"):
        assert wrong not in letter
    assert Notifikation.objects.filter(
        modtager=staff, titel__startswith="Bestilling ophører"
    ).exists()
    order = Bestilling.objects.get(sag=mads.sag)
    assert order.slutdato == end
    assert Sag.objects.get(pk=mads.sag.pk).fase == Fase.AFSLUTTET
    assert may(staff, Action.VIEW, order)  # until the effective day
    Bestilling.objects.filter(pk=order.pk).update(slutdato=timezone.localdate() - timedelta(days=1))
    assert not may(staff, Action.VIEW, order)


def test_an_end_whose_letter_goes_out_later_asks_for_a_correcting_letter(
    caseworker, delivering
) -> None:
    mads, staff = delivering
    skema = skema_start(actor=caseworker, opfoelgning=_meeting(caseworker, staff, mads))
    skema = skema_update(
        actor=caseworker,
        skema=skema,
        maal=_all_goals(skema, "Mål skal afsluttes"),
        **_tilsyn(
            status_paa_indsats=StatusPaaIndsats.objects.current().get(
                navn="Træf afgørelse om afslutning af indsats"
            ),
            borger_enig=None,
        ),
    )
    mads_heard_before_the_end(caseworker, mads.sag)
    today = timezone.localdate()  # 18 November 2026: the end takes effect at once
    decision = opfoelgning_end(
        actor=caseworker,
        skema=skema,
        virkningsdato=today,
        begrundelse_vurdering="Mads har nået sine mål og klarer sig selv.",
        begrundelse_regler="Servicelovens § 85.",
    )
    brev = Brev.objects.get(afgoerelse=decision)
    # The broker was down: the sweep sends the letter the next day. The end cannot take effect
    # before Mads has it, so its date moves, and the caseworker is asked to correct the letter
    # and the order's end.
    with time_machine.travel(local_instant("2026-11-19 10:00")):
        brev_dispatch(brev_id=brev.pk)
    assert decision.resultater.get().virkningsdato == date(2026, 11, 19)
    task = Frist.objects.get(sag=mads.sag, art=Frist.Art.VARSLINGSPERIODE)
    assert task.status == Frist.Status.AABEN
    assert timezone.localtime(task.frist).date() == date(2026, 11, 20)
    (notice,) = Notifikation.objects.filter(modtager=caseworker, titel__contains="rettelsesbrev")
    assert "fra 18. november 2026 til 19. november 2026" in notice.tekst
    assert "ret bestillingernes slutdato" in notice.tekst


@pytest.mark.parametrize("protected", [False, True])
def test_moving_away_exports_the_case_file_with_consent(
    caseworker, delivering, protected, client
) -> None:
    mads, staff = delivering
    street = mads.sag.borger.adresse
    assert street
    if protected:  # CPR protected the address after the letters and the order were sent
        Borger.objects.filter(pk=mads.sag.borger_id).update(
            adressebeskyttet=True,
            # A day no document is older than: only what they say they printed counts.
            adressebeskyttet_siden=local_instant("2020-01-01 00:00"),
            adresse="",
            postnummer="",
            by="",
        )
    skema = skema_start(actor=caseworker, opfoelgning=_meeting(caseworker, staff, mads))
    skema = skema_update(actor=caseworker, skema=skema, maal=_all_goals(skema), **_tilsyn())
    with pytest.raises(ValidationError, match="samtykke"):
        opfoelgning_move_away(actor=caseworker, skema=skema, modtager="Aarhus Kommune")
    SamtykkeFactory(sag=mads.sag, til_ny_handlekommune=True, registreret_af=caseworker)
    udlevering = opfoelgning_move_away(actor=caseworker, skema=skema, modtager="Aarhus Kommune")
    archive = zipfile.ZipFile(io.BytesIO(bytes(udlevering.indhold)))
    names = archive.namelist()
    assert "sag.json" in names
    assert any(n.startswith("breve/") for n in names)
    assert any(n.startswith("bestillinger/") for n in names)
    data = json.loads(archive.read("sag.json"))
    assert data["borger"]["cpr"] == mads.sag.borger.cpr
    # The file is the record as sent, to an authority; what shows a protected address is named.
    shows = data["borger"]["dokumenter_med_beskyttet_adresse"]
    if protected:
        assert street not in archive.read("sag.json").decode()  # nor in the orders' content
        assert data["borger"]["adresse"] == ""
        assert shows == [n for n in names if n.startswith(("breve/", "bestillinger/"))]
        assert shows
    else:
        assert shows == []
    # It holds his address (in sag.json, or in letters that printed it): a protection covers it.
    assert udlevering.viser_adresse is True
    # The caseworker downloads it; one that shows a protected address only when confirmed.
    client.force_login(caseworker)
    page = reverse("followup:udlevering", args=[mads.sag.pk, udlevering.pk])
    if protected:
        assert "viser en beskyttet adresse" in client.get(page).content.decode()
        assert client.post(page).content == bytes(udlevering.indhold)
        assert AuditEvent.objects.filter(summary__endswith="(bekræftet)").count() == 1
    else:
        assert client.get(page).content == bytes(udlevering.indhold)
    assert len(data["assessment.Indsatsmaal"]) == 4
    assert "pdf" not in data["orders.Bestilling"][0]["fields"]
    assert Sag.objects.get(pk=mads.sag.pk).fase == Fase.AFSLUTTET
    order = Bestilling.objects.get(sag=mads.sag)
    assert order.status == Bestilling.Status.OPHOERT  # ended at once, not at midnight
    assert not may(staff, Action.VIEW, order)


def test_a_meeting_cancelled_for_an_inadequate_note(caseworker, delivering) -> None:
    mads, staff = delivering
    opfoelgning = _meeting(caseworker, staff, mads)
    with pytest.raises(ValidationError):
        opfoelgning_cancel(actor=caseworker, opfoelgning=opfoelgning, begrundelse=" ")
    opfoelgning_cancel(
        actor=caseworker, opfoelgning=opfoelgning, begrundelse="Statusnotatet er utilstrækkeligt."
    )
    assert not opfoelgning.frister.filter(status=Frist.Status.AABEN).exists()
    assert open_follow_up(mads.sag) is None


def test_magtanvendelser_of_the_period_are_shown_at_the_follow_up(caseworker, delivering) -> None:
    mads, staff = delivering
    order = Bestilling.objects.get(sag=mads.sag)
    magtanvendelse_report(
        actor=staff,
        bestilling=order,
        tidspunkt=timezone.now() - timedelta(hours=1),
        type=Magtanvendelse.Type.FASTHOLDELSE,
        beskrivelse="Kortvarig fastholdelse.",
    )
    opfoelgning = opfoelgning_plan(actor=caseworker, sag=mads.sag)
    assert [m.type for m in magtanvendelser_in_period(opfoelgning)] == ["fastholdelse"]
    other = UserFactory(udfoerer=True)
    with pytest.raises(Exception, match="ikke tilgængelig"):
        statusnotat_save(actor=other, opfoelgning=opfoelgning, maal={})


def test_the_timeline_follows_the_meeting_the_provider_calls(caseworker, delivering) -> None:
    mads, staff = delivering
    planned = opfoelgning_plan(actor=caseworker, sag=mads.sag)
    too_late = timezone.make_aware(datetime.combine(planned.dato + timedelta(days=1), time(10)))
    with pytest.raises(ValidationError, match="senest"):
        opfoelgning_call(
            actor=staff, opfoelgning=planned, tidspunkt=too_late, form=Opfoelgning.Form.TELEFON
        )
    opfoelgning = _meeting(caseworker, staff, mads)
    day = timezone.localtime(opfoelgning.moede_tidspunkt).date()
    due = {f.art: timezone.localtime(f.frist).date() for f in opfoelgning.frister.all()}
    assert due["statusnotat"] == day - timedelta(days=14)
    assert due["opfoelgning"] == day
    assert due["opfoelgningsskema"] == day + timedelta(days=14)
    assert opfoelgning.frister.get(art="opfoelgning").flytninger.count() == 1


def test_a_case_with_a_running_order_is_not_closed_past_the_follow_up(
    caseworker, delivering
) -> None:

    mads, staff = delivering
    skema_start(actor=caseworker, opfoelgning=_meeting(caseworker, staff, mads))
    sag = Sag.objects.get(pk=mads.sag.pk)
    with pytest.raises(TransitionBlocked) as blocked:
        sag_transition(actor=caseworker, sag=sag, name="afslut", begrundelse="Lukkes.")
    assert "løber stadig" in blocked.value.reasons[0]
    with pytest.raises(TransitionBlocked):
        sag_transition(actor=caseworker, sag=sag, name="revisitation", begrundelse="Ny udredning.")


def test_a_goal_without_a_starting_level_does_not_block_the_form(caseworker, delivering) -> None:
    mads, staff = delivering
    mads.vurdering.maal.filter(raekkefoelge=1).update(aktuel_vurdering=None, forventet_niveau=None)
    skema = skema_start(actor=caseworker, opfoelgning=_meeting(caseworker, staff, mads))
    skema = skema_update(actor=caseworker, skema=skema, maal=_all_goals(skema), **_tilsyn())
    assert skema_blockers(skema) == ["Mål 1: angiv det nye aktuelle funktionsevneniveau."]


def test_the_next_period_starts_when_the_previous_follow_up_was_held(
    caseworker, delivering
) -> None:
    mads, staff = delivering
    opfoelgning = _meeting(caseworker, staff, mads)
    skema = skema_start(actor=caseworker, opfoelgning=opfoelgning)
    skema = skema_update(
        actor=caseworker,
        skema=skema,
        maal=_all_goals(skema),
        naeste_dato=opfoelgning.dato + timedelta(days=91),
        **_tilsyn(),
    )
    following = opfoelgning_continue(actor=caseworker, skema=skema)
    # Counted from the meeting, not from the first follow-up's latest date (which lies later).
    assert opfoelgning.moede_tidspunkt is not None
    assert timezone.localtime(opfoelgning.moede_tidspunkt).date() < opfoelgning.dato
    assert previous_held_at(following) == opfoelgning.moede_tidspunkt
    # The next form starts from the support need this one left (Moderat), not the assessment's.
    assert Sagsvurdering.objects.get(
        pk=mads.vurdering.pk
    ).stoettebehov == Stoettebehov.objects.current().get(navn="Højt støttebehov")
    assert skema_start(actor=caseworker, opfoelgning=following).stoettebehov_foer == (moderat())


def test_the_next_follow_up_date_lies_ahead(caseworker, delivering) -> None:
    mads, staff = delivering
    skema = skema_start(actor=caseworker, opfoelgning=_meeting(caseworker, staff, mads))
    with pytest.raises(ValidationError, match="efter i dag"):
        skema_update(actor=caseworker, skema=skema, naeste_dato=timezone.localdate())
