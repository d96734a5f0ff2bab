"""The caseworker's follow-up pages: the Mads follow-up planned, read beside the provider's
statusnotat, filled in and continued (støttebehov Moderat → Moderat, back in levering with the next
follow-up planned); the tilsyn blockers shown and the input kept; Anders, who does not thrive,
revisited; goals revised, the indsats ended and the case file handed to a new municipality, all
through the pages; a leader reads but may not write; the provider and other teams get 404; the
two pages' queries do not grow with the number of goals."""

import io
import zipfile
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessment.models import Afgoerelse, Sagsvurdering
from cases.lifecycle import Fase
from cases.models import Journalnotat, Sag
from followup.models import Opfoelgning, Opfoelgningsskema, Sagsudlevering
from followup.services.opfoelgning import opfoelgning_call, opfoelgning_plan, statusnotat_save
from followup.services.skema import skema_blockers, skema_start
from orders.models import Bestilling, Magtanvendelse
from orders.services.bestilling import bestilling_accept, bestillinger_send
from orders.services.levering import delmaal_create, delmaalsnotat_add, magtanvendelse_report
from tests.catalogs import load_catalog
from tests.factories import SamtykkeFactory, UserFactory, sag_in_phase
from tests.mads import Mads, mads_decided, mads_heard_before_the_end, mads_time
from vum import calendar
from vum.accounts.models import User
from vum.audit.models import AuditAction, AuditEvent
from vum.catalog.models import Fremadrettet, StatusPaaIndsats, Stoettebehov

pytestmark = [pytest.mark.django_db, mads_time]

CONTINUE = "Træf afgørelse om fortsættelse af indsats"
END = "Træf afgørelse om afslutning af indsats"
END_AND_NEW = "Træf afgørelse om afslutning af indsats og visiter til ny"
NOTE_TEXT = "Vi arbejder med målet hver uge; Mads tager selv initiativ."
PLACE = "Hjemme hos Mads"


@pytest.fixture(autouse=True)
def catalog(db: None, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "randers"
    settings.VUM_LETTER_DIR = tmp_path / "breve"
    load_catalog()


def _deliver(caseworker: User, goals: int = 4) -> tuple[Mads, User]:
    """Mads in levering with X-Hus (optionally with fewer goals), and a staff member of X-Hus."""
    mads = mads_decided(caseworker)
    if goals < 4:
        mads.vurdering.maal.filter(raekkefoelge__gt=goals).delete()
    (order,) = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    staff = UserFactory(udfoerer=True, organisation=mads.x_hus)
    bestilling_accept(actor=staff, bestilling=order)
    return mads, staff


@pytest.fixture
def delivering(caseworker: User) -> tuple[Mads, User]:
    """Mads in levering with X-Hus, whose staff member is returned with the case."""
    return _deliver(caseworker)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _list_url(sag: Sag) -> str:
    return reverse("followup:opfoelgninger", args=[sag.pk])


def _url(name: str, o: Opfoelgning) -> str:
    return reverse(f"followup:{name}", args=[o.sag_id, o.pk])


def moderat() -> Stoettebehov:
    return Stoettebehov.objects.current().get(navn="Moderat støttebehov")


def _status(navn: str) -> StatusPaaIndsats:
    return StatusPaaIndsats.objects.current().get(navn=navn)


def _fremadrettet(navn: str) -> Fremadrettet:
    return Fremadrettet.objects.current().get(navn=navn)


def _call_meeting(staff: User, opfoelgning: Opfoelgning) -> Opfoelgning:
    when = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=20), time(10))
    )
    return opfoelgning_call(
        actor=staff,
        opfoelgning=opfoelgning,
        tidspunkt=when,
        form=Opfoelgning.Form.MOEDE,
        sted=PLACE,
        deltagere="Mads, Malene og Torben (forældre), Lise Berg (leder, X-Hus)",
    )


def _send_note(staff: User, opfoelgning: Opfoelgning, mads: Mads) -> None:
    statusnotat_save(
        actor=staff,
        opfoelgning=opfoelgning,
        maal={
            g.pk: {"vurdering_af_arbejdet": NOTE_TEXT, "maalopfyldelse": "Delvist opfyldt"}
            for g in mads.vurdering.maal.all()
        },
        vaesentlige_aendringer="Mads er begyndt på FGU.",
        bemaerkninger="Behov for et nyt mål om fritid.",
        indsend=True,
    )


def _planned(caseworker: User, staff: User, mads: Mads) -> Opfoelgning:
    """Planned, called and with the statusnotat sent (all through the services)."""
    opfoelgning = opfoelgning_plan(actor=caseworker, sag=mads.sag)
    opfoelgning = _call_meeting(staff, opfoelgning)
    _send_note(staff, opfoelgning, mads)
    return opfoelgning


def _skema(o: Opfoelgning) -> Opfoelgningsskema:
    return Opfoelgningsskema.objects.get(opfoelgning=o)


def _form_data(
    skema: Opfoelgningsskema, fremadrettet: str = "Mål uændret", **overrides: Any
) -> dict[str, str]:
    """The follow-up form as the browser posts it: everything filled in, the levels kept."""
    data: dict[str, Any] = {
        "skema_gem": "1",
        "form": "moede",
        "deltagere": "Mads, Malene, Lise Berg (X-Hus)",
        "naeste_dato": "",
        "vaesentlige_aendringer": "Mads er begyndt på FGU.",
        "samlet_konklusion": "Mads er godt i gang; indsatsen fortsætter.",
        "paaroerendes_kommentarer": "Malene oplever, at Mads har mere overskud.",
        "status_paa_indsats": _status(CONTINUE).pk,
        "stoettebehov_efter": moderat().pk,
        "tilsyn_gennemfoert": "True",
        "trives": "True",
        "trivsel_bemaerkninger": "",
        "magtanvendelser_i_perioden": "False",
        "magtanvendelse_opfoelgning": "",
        "tilsyn_konklusion": "Mads trives hos X-Hus.",
        "moedt_borgeren": "True",
        "ikke_moedt_begrundelse": "",
        "nyt_moede": "",
        "borger_enig": "True",
    }
    keep = _fremadrettet(fremadrettet)
    for row in skema.maal.all():
        prefix = f"maal-{row.indsatsmaal_id}-"
        data[prefix + "borgerens_vurdering"] = "Det går bedre."
        data[prefix + "udfoerers_vurdering"] = "Arbejdet går som aftalt."
        data[prefix + "sagsbehandlers_vurdering"] = "Målet står ved magt."
        data[prefix + "nyt_niveau"] = "" if row.overfoert_niveau is None else row.overfoert_niveau
        data[prefix + "fremadrettet"] = keep.pk
    data.update(overrides)
    return {k: "" if v is None else str(v) for k, v in data.items()}


def _started(client: Client, o: Opfoelgning) -> Opfoelgningsskema:
    response = client.post(_url("skema", o))
    assert response.status_code == 302
    return _skema(o)


# The Mads follow-up


def test_the_mads_follow_up_through_the_pages(caseworker: User, delivering) -> None:  # type: ignore[no-untyped-def]
    mads, staff = delivering
    Sagsvurdering.objects.filter(pk=mads.vurdering.pk).update(stoettebehov=moderat())
    client = _client(caseworker)

    # The case page links to the follow-ups; none is planned yet.
    case_page = client.get(reverse("sag_detail", args=[mads.sag.pk])).content.decode()
    assert _list_url(mads.sag) in case_page
    page = client.get(_list_url(mads.sag)).content.decode()
    assert "Der er ikke planlagt opfølgninger i sagen." in page
    assert "Planlæg opfølgning</button>" in page

    response = client.post(reverse("followup:planlaeg", args=[mads.sag.pk]), follow=True)
    (opfoelgning,) = Opfoelgning.objects.filter(sag=mads.sag)
    assert response.redirect_chain[-1][0] == _url("opfoelgning", opfoelgning)
    page = response.content.decode()
    assert "Opfølgningen er planlagt senest 30.12.2026" in page
    assert "Fælles opfølgning for målene: 3 måneder" in page
    assert "Udføreren har ikke indkaldt til mødet endnu." in page
    assert 'id="statusnotat-mangler"' in page
    for label in ("Statusnotat", "Gennemgang af statusnotat", "Opfølgningsskema"):
        assert f'<span class="opf-frister__art">{label}</span>' in page

    # The provider calls the meeting and sends the statusnotat.
    _call_meeting(staff, opfoelgning)
    _send_note(staff, opfoelgning, mads)

    page = client.get(_url("opfoelgning", opfoelgning)).content.decode()
    assert PLACE in page
    assert "Møde indkaldt" in page
    assert NOTE_TEXT in page
    assert "Mads er begyndt på FGU." in page
    assert "Behov for et nyt mål om fritid." in page
    assert 'id="statusnotat-mangler"' not in page
    assert "Start opfølgningsskema</button>" in page
    assert "Aflys mødet</button>" in page
    listing = client.get(_list_url(mads.sag)).content.decode()
    assert '<span class="status--ok">Modtaget</span>' in listing
    assert "Planlæg opfølgning</button>" not in listing  # one is open

    # Start the form: the case moves to opfølgning; the levels are transferred.
    skema = _started(client, opfoelgning)
    assert Sag.objects.get(pk=mads.sag.pk).fase == Fase.OPFOELGNING
    page = client.get(_url("opfoelgning", opfoelgning)).content.decode()
    assert "Mangler før opfølgningen kan afsluttes" in page
    assert "Det personrettede tilsyn skal være gennemført." in page
    assert "Start opfølgningsskema</button>" not in page
    assert "Aflys mødet</button>" not in page
    goal2 = mads.vurdering.maal.get(raekkefoelge=2)
    assert f'<dd id="overfoert-{goal2.pk}">2</dd>' in page
    assert '<p id="stoettebehov-foer"><strong>2 · Moderat støttebehov</strong></p>' in page
    assert NOTE_TEXT in page  # beside each goal

    # Fill it in, with the next follow-up agreed at the meeting.
    next_date = opfoelgning.dato + timedelta(days=91)
    response = client.post(
        _url("skema", opfoelgning),
        _form_data(skema, naeste_dato=next_date.isoformat()),
        follow=True,
    )
    page = response.content.decode()
    assert "Opfølgningsskemaet er gemt." in page
    assert "Skemaet er udfyldt." in page
    skema.refresh_from_db()
    assert skema_blockers(skema) == []
    assert skema.maal.get(indsatsmaal=goal2).nyt_niveau == 2

    response = client.post(_url("udfald", opfoelgning), {"udfald": "fortsaet"}, follow=True)
    assert response.redirect_chain[-1][0] == _list_url(mads.sag)
    page = response.content.decode()
    following = Opfoelgning.objects.filter(sag=mads.sag).exclude(pk=opfoelgning.pk).get()
    assert following.dato == calendar.next_working_day(next_date)
    assert f"Næste opfølgning er planlagt senest {following.dato:%d.%m.%Y}." in page
    assert "Afsluttet" in page
    assert "Indsatsen fortsætter" in page
    sag = Sag.objects.get(pk=mads.sag.pk)
    assert sag.fase == Fase.LEVERING
    assert Journalnotat.objects.filter(sag=sag, emne__contains="fortsættelse").exists()
    skema.refresh_from_db()
    assert skema.udfald == Opfoelgningsskema.Udfald.FORTSAET
    assert (skema.stoettebehov_foer, skema.stoettebehov_efter) == (moderat(), moderat())

    # The completed follow-up is read, not edited.
    page = client.get(_url("opfoelgning", opfoelgning)).content.decode()
    assert 'id="skema-afsluttet"' in page
    assert "Gem opfølgningsskemaet" not in page
    assert 'id="udfald"' not in page
    # A form posted from a stale tab is refused with the reason on top.
    response = client.post(_url("skema", opfoelgning), _form_data(skema, samlet_konklusion="Ny"))
    assert response.status_code == 200
    assert "Opfølgningsskemaet er afsluttet." in response.content.decode()
    response = client.post(_url("udfald", opfoelgning), {"udfald": "fortsaet"})
    assert "Opfølgningsskemaet er afsluttet." in response.content.decode()
    skema.refresh_from_db()
    assert skema.samlet_konklusion == "Mads er godt i gang; indsatsen fortsætter."


def test_the_page_is_audited(caseworker: User, delivering) -> None:  # type: ignore[no-untyped-def]
    mads, staff = delivering
    opfoelgning = _planned(caseworker, staff, mads)
    client = _client(caseworker)
    events = AuditEvent.objects.filter(action=AuditAction.VIEW, summary="Opfølgning læst")
    before = events.count()
    client.get(_url("opfoelgning", opfoelgning))
    assert events.count() == before + 1


def test_the_tilsyn_blockers_are_shown_and_the_input_is_kept(caseworker: User, delivering) -> None:  # type: ignore[no-untyped-def]
    mads, staff = delivering
    opfoelgning = _planned(caseworker, staff, mads)
    client = _client(caseworker)
    skema = _started(client, opfoelgning)

    # Saving with blanks is allowed; the checklist says what is missing.
    data = _form_data(
        skema,
        tilsyn_gennemfoert="",
        trives="",
        moedt_borgeren="False",
        tilsyn_konklusion="",
    )
    page = client.post(_url("skema", opfoelgning), data, follow=True).content.decode()
    assert "Opfølgningsskemaet er gemt." in page
    for reason in (
        "Det personrettede tilsyn skal være gennemført.",
        "Tilsyn: angiv om borgeren trives.",
        "Tilsyn: skriv konklusionen på tilsynet.",
        "Du har ikke mødt borgeren: skriv hvorfor, og aftal et nyt møde med borgeren.",
    ):
        assert reason in page

    # Completing is not: the reasons are shown on the outcome, nothing changes.
    response = client.post(_url("udfald", opfoelgning), {"udfald": "fortsaet"})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<details id="udfald-fortsaet" open>' in page
    assert "Det personrettede tilsyn skal være gennemført." in page
    skema.refresh_from_db()
    assert skema.afsluttet is None
    assert Sag.objects.get(pk=mads.sag.pk).fase == Fase.OPFOELGNING

    # A bad date is refused with a Danish message, and what was typed stays.
    bad = _form_data(skema, naeste_dato="31-02-2027", samlet_konklusion="Min nye konklusion")
    response = client.post(_url("skema", opfoelgning), bad)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Formularen indeholder fejl" in page
    assert "Indtast en gyldig dato." in page
    assert "Min nye konklusion" in page
    skema.refresh_from_db()
    assert skema.samlet_konklusion == "Mads er godt i gang; indsatsen fortsætter."

    # Pressing "Start" again never blanks the saved form.
    client.post(_url("skema", opfoelgning))
    skema.refresh_from_db()
    assert skema.samlet_konklusion == "Mads er godt i gang; indsatsen fortsætter."


def test_the_magtanvendelser_of_the_period_are_shown(caseworker: User, delivering) -> None:  # type: ignore[no-untyped-def]
    mads, staff = delivering
    order = Bestilling.objects.get(sag=mads.sag)
    magtanvendelse_report(
        actor=staff,
        bestilling=order,
        tidspunkt=timezone.now() - timedelta(hours=1),
        type=Magtanvendelse.Type.FASTHOLDELSE,
        beskrivelse="Kortvarig fastholdelse ved en konflikt.",
    )
    opfoelgning = _planned(caseworker, staff, mads)
    page = _client(caseworker).get(_url("opfoelgning", opfoelgning)).content.decode()
    assert "Kortvarig fastholdelse ved en konflikt." in page
    assert 'id="ingen-magtanvendelser"' not in page


def test_a_meeting_is_cancelled_with_a_reason(caseworker: User, delivering) -> None:  # type: ignore[no-untyped-def]
    mads, staff = delivering
    opfoelgning = _planned(caseworker, staff, mads)
    client = _client(caseworker)
    response = client.post(_url("aflys", opfoelgning), {"begrundelse": " "})
    assert response.status_code == 200
    assert '<details class="add-form" id="aflys" open>' in response.content.decode()
    opfoelgning.refresh_from_db()
    assert opfoelgning.status == Opfoelgning.Status.INDKALDT

    response = client.post(
        _url("aflys", opfoelgning),
        {"begrundelse": "Statusnotatet er utilstrækkeligt."},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == _list_url(mads.sag)
    page = response.content.decode()
    assert "Mødet er aflyst" in page
    assert "Statusnotatet er utilstrækkeligt." in page
    assert "Planlæg opfølgning</button>" in page  # a new one can be planned
    opfoelgning.refresh_from_db()
    assert opfoelgning.status == Opfoelgning.Status.AFLYST


# The outcomes


def test_anders_does_not_thrive_and_is_revisited(caseworker: User, delivering) -> None:  # type: ignore[no-untyped-def]
    mads, staff = delivering
    opfoelgning = _planned(caseworker, staff, mads)
    client = _client(caseworker)
    skema = _started(client, opfoelgning)
    data = _form_data(
        skema,
        "Mål skal afsluttes",
        trives="False",
        borger_enig="",
        status_paa_indsats=_status(END_AND_NEW).pk,
    )
    page = client.post(_url("skema", opfoelgning), data, follow=True).content.decode()
    assert "Tilsyn: beskriv hvorfor borgeren ikke trives." in page
    data["trivsel_bemaerkninger"] = "Borgeren trives ikke; bostedet beder om 15 timer mere."
    data["tilsyn_konklusion"] = "Der skal laves en ny udredning."
    client.post(_url("skema", opfoelgning), data)

    # Continuing needs the citizen's agreement.
    page = client.post(_url("udfald", opfoelgning), {"udfald": "fortsaet"}).content.decode()
    assert "Når borgeren ikke er enig, træffes en skriftlig afgørelse" in page

    # Revisitation needs a reason; the typed nothing is kept as nothing, with an error.
    response = client.post(_url("udfald", opfoelgning), {"udfald": "revisitation"})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<details id="udfald-revisitation" open>' in page
    assert "Dette felt er påkrævet." in page

    response = client.post(
        _url("udfald", opfoelgning),
        {"udfald": "revisitation", "begrundelse": "Ny udredning: Anders trives ikke på bostedet."},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("sag_detail", args=[mads.sag.pk])
    assert "sendt til revisitation" in response.content.decode()
    sag = Sag.objects.get(pk=mads.sag.pk)
    assert sag.fase == Fase.SAGSOPLYSNING
    assert Bestilling.objects.filter(sag=sag).active().count() == 1  # delivery goes on


def test_revised_goals_go_to_the_provider(caseworker: User, delivering) -> None:  # type: ignore[no-untyped-def]
    mads, staff = delivering
    opfoelgning = _planned(caseworker, staff, mads)
    client = _client(caseworker)
    skema = _started(client, opfoelgning)
    goal1 = mads.vurdering.maal.get(raekkefoelge=1)
    goal3 = mads.vurdering.maal.get(raekkefoelge=3)
    data = _form_data(skema)
    data[f"maal-{goal3.pk}-fremadrettet"] = str(_fremadrettet("Mål skal revideres").pk)
    client.post(_url("skema", opfoelgning), data)

    page = client.get(_url("opfoelgning", opfoelgning)).content.decode()
    assert f'id="revider-{goal3.pk}"' in page  # inputs only for the goal to revise
    assert f'id="revider-{goal1.pk}"' not in page
    assert 'id="ingen-revision"' not in page

    # A blank wording is refused with the input kept.
    response = client.post(
        _url("udfald", opfoelgning),
        {"udfald": "revider", f"revider-{goal3.pk}-maalformulering": " "},
    )
    assert response.status_code == 200
    assert '<details id="udfald-revider" open>' in response.content.decode()
    assert Bestilling.objects.filter(sag=mads.sag).count() == 1

    new_wording = "Jeg ryger ikke hash og træner to gange om ugen"
    response = client.post(
        _url("udfald", opfoelgning),
        {
            "udfald": "revider",
            f"revider-{goal3.pk}-maalformulering": new_wording,
            f"revider-{goal3.pk}-forventet_niveau": "0",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == _list_url(mads.sag)
    assert "ny bestilling er sendt" in response.content.decode()
    goal3.refresh_from_db()
    assert (goal3.maalformulering, goal3.forventet_niveau) == (new_wording, 0)
    latest = Bestilling.objects.filter(sag=mads.sag).order_by("-version").first()
    assert latest is not None
    assert latest.version == 2
    assert Sag.objects.get(pk=mads.sag.pk).fase == Fase.LEVERING


def test_ending_the_indsats_through_the_page(caseworker: User, delivering) -> None:  # type: ignore[no-untyped-def]
    mads, staff = delivering
    opfoelgning = _planned(caseworker, staff, mads)
    client = _client(caseworker)
    skema = _started(client, opfoelgning)
    data = _form_data(
        skema, "Mål skal afsluttes", borger_enig="", status_paa_indsats=_status(END).pk
    )
    client.post(_url("skema", opfoelgning), data)

    end = timezone.localdate() + timedelta(days=30)
    missing = {"udfald": "ophoer", "virkningsdato": end.isoformat(), "begrundelse_vurdering": "X"}
    response = client.post(_url("udfald", opfoelgning), missing)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<details id="udfald-ophoer" open>' in page
    assert f'value="{end.isoformat()}"' in page  # the input is kept
    assert Sag.objects.get(pk=mads.sag.pk).fase == Fase.OPFOELGNING

    complete = {
        "udfald": "ophoer",
        "virkningsdato": end.isoformat(),
        "begrundelse_vurdering": "Mads har nået sine mål og klarer sig selv.",
        "begrundelse_regler": "Servicelovens § 85.",
    }
    unheard = client.post(_url("udfald", opfoelgning), complete)
    assert "R-85 skal partshøres før et ophør" in unheard.content.decode()
    mads_heard_before_the_end(caseworker, mads.sag)
    response = client.post(_url("udfald", opfoelgning), complete, follow=True)
    assert response.redirect_chain[-1][0] == _url("opfoelgning", opfoelgning)
    page = response.content.decode()
    assert "Afgørelsen om ophør" in page
    assert "Indsatsen ophører" in page
    decision = Afgoerelse.objects.filter(sag=mads.sag).order_by("-pk").first()
    assert decision is not None
    assert decision.erstatter == mads.afgoerelse
    assert Bestilling.objects.get(sag=mads.sag).slutdato == end
    assert Sag.objects.get(pk=mads.sag.pk).fase == Fase.AFSLUTTET
    # The closed case is read-only: the follow-ups are still shown, nothing can be planned.
    listing = client.get(_list_url(mads.sag)).content.decode()
    assert "Planlæg opfølgning</button>" not in listing
    assert 'id="laeseadgang"' in listing


def test_moving_away_exports_the_case_file(caseworker: User, delivering) -> None:  # type: ignore[no-untyped-def]
    mads, staff = delivering
    opfoelgning = _planned(caseworker, staff, mads)
    client = _client(caseworker)
    skema = _started(client, opfoelgning)
    client.post(_url("skema", opfoelgning), _form_data(skema))

    # Without the citizen's consent the file does not leave.
    response = client.post(
        _url("udfald", opfoelgning), {"udfald": "fraflytning", "modtager": "Aarhus Kommune"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Registrér samtykket først." in page
    assert 'value="Aarhus Kommune"' in page
    assert not Sagsudlevering.objects.exists()

    SamtykkeFactory(sag=mads.sag, til_ny_handlekommune=True, registreret_af=caseworker)
    response = client.post(
        _url("udfald", opfoelgning), {"udfald": "fraflytning", "modtager": "Aarhus Kommune"}
    )
    udlevering = Sagsudlevering.objects.get(sag=mads.sag)
    download = reverse("followup:udlevering", args=[mads.sag.pk, udlevering.pk])
    assert response.status_code == 302
    assert response["Location"] == download

    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert "sag.json" in archive.namelist()
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT,
        object_type="followup.Sagsudlevering",
        object_id=str(udlevering.pk),
        actor=caseworker,
    ).exists()
    assert Sag.objects.get(pk=mads.sag.pk).fase == Fase.AFSLUTTET

    # The page lists the file; another case's URL, or an unknown one, answers 404.
    page = client.get(_url("opfoelgning", opfoelgning)).content.decode()
    assert download in page
    assert download in client.get(_list_url(mads.sag)).content.decode()
    other = sag_in_phase(Fase.LEVERING, team=caseworker.teams.get(), sagsbehandler=caseworker)
    wrong = reverse("followup:udlevering", args=[other.pk, udlevering.pk])
    assert client.get(wrong).status_code == 404
    unknown = reverse("followup:udlevering", args=[mads.sag.pk, udlevering.pk + 1000])
    assert client.get(unknown).status_code == 404


# Access


def test_a_leader_reads_but_cannot_write(caseworker: User, delivering) -> None:  # type: ignore[no-untyped-def]
    mads, staff = delivering
    opfoelgning = _planned(caseworker, staff, mads)
    skema_start(actor=caseworker, opfoelgning=opfoelgning)
    leder = _client(UserFactory(leder=True, teams=[caseworker.teams.get()]))

    listing = leder.get(_list_url(mads.sag))
    assert listing.status_code == 200
    assert 'id="laeseadgang"' in listing.content.decode()
    page = leder.get(_url("opfoelgning", opfoelgning))
    assert page.status_code == 200
    content = page.content.decode()
    assert NOTE_TEXT in content
    assert "Gem opfølgningsskemaet" not in content
    assert 'id="udfald"' not in content
    assert "Aflys mødet</button>" not in content

    skema = _skema(opfoelgning)
    for name, data in (
        ("skema", _form_data(skema)),
        ("udfald", {"udfald": "fortsaet"}),
        ("aflys", {"begrundelse": "Nej"}),
    ):
        assert leder.post(_url(name, opfoelgning), data).status_code == 404
    assert leder.post(reverse("followup:planlaeg", args=[mads.sag.pk])).status_code == 404
    skema.refresh_from_db()
    assert skema.samlet_konklusion == ""


def test_the_provider_and_other_teams_get_404(caseworker: User, delivering) -> None:  # type: ignore[no-untyped-def]
    mads, staff = delivering
    opfoelgning = _planned(caseworker, staff, mads)
    outsiders = [staff, UserFactory(), UserFactory(leder=True)]
    for user in outsiders:
        client = _client(user)
        assert client.get(_list_url(mads.sag)).status_code == 404
        assert client.get(_url("opfoelgning", opfoelgning)).status_code == 404
        assert client.post(_url("skema", opfoelgning)).status_code == 404
        assert client.post(_url("udfald", opfoelgning), {"udfald": "fortsaet"}).status_code == 404
        assert client.post(reverse("followup:planlaeg", args=[mads.sag.pk])).status_code == 404
    assert not Opfoelgningsskema.objects.exists()
    # A follow-up of another case through this case's URL is not found either.
    other = sag_in_phase(Fase.LEVERING, team=caseworker.teams.get(), sagsbehandler=caseworker)
    wrong = reverse("followup:opfoelgning", args=[other.pk, opfoelgning.pk])
    assert _client(caseworker).get(wrong).status_code == 404


def test_a_case_without_a_granted_decision_cannot_be_planned(caseworker: User) -> None:
    sag = sag_in_phase(Fase.LEVERING, team=caseworker.teams.get(), sagsbehandler=caseworker)
    client = _client(caseworker)
    response = client.post(reverse("followup:planlaeg", args=[sag.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="fejl"' in page
    assert "Opfølgning planlægges, når en bevilget indsats leveres." in page
    assert not Opfoelgning.objects.filter(sag=sag).exists()


# Queries


def _with_everything(caseworker: User, goals: int) -> Opfoelgning:
    """A follow-up with the statusnotat, one delmål with a note per goal, and the form started."""
    mads, staff = _deliver(caseworker, goals)
    order = Bestilling.objects.get(sag=mads.sag)
    for goal in mads.vurdering.maal.all():
        delmaal = delmaal_create(
            actor=staff, bestilling=order, formulering=f"Delmål til {goal}", indsatsmaal=[goal]
        )
        delmaalsnotat_add(
            actor=staff, bestilling=order, delmaal=delmaal, tekst="Det gik godt i dag."
        )
    opfoelgning = _planned(caseworker, staff, mads)
    skema_start(actor=caseworker, opfoelgning=opfoelgning)
    return opfoelgning


def _count(client: Client, url: str, django_assert_max_num_queries: Any, limit: int) -> int:
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_pages_queries_do_not_grow_with_the_goals(
    caseworker: User, django_assert_max_num_queries: Any
) -> None:
    client = _client(caseworker)
    one = _with_everything(caseworker, goals=1)
    other_caseworker = UserFactory(teams=[caseworker.teams.get()])
    four = _with_everything(other_caseworker, goals=4)
    assert Opfoelgningsskema.objects.get(opfoelgning=four).maal.count() == 4

    counts = {}
    for name, o in (("one", one), ("four", four)):
        counts[name] = (
            _count(client, _list_url(o.sag), django_assert_max_num_queries, 18),
            _count(client, _url("opfoelgning", o), django_assert_max_num_queries, 32),
        )
    assert counts["four"][0] <= counts["one"][0] + 1
    assert counts["four"][1] <= counts["one"][1] + 2
