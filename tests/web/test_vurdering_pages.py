"""The caseworker's sagsvurdering page: permissions, the Mads flow through the sections (goals
and hours, the support need after the goals, indsatser with price lines), refusals and fixed ends
refused in Danish, the status box, the one form of the sagsvurdering's own fields (in place, and
"Gem og gå til afgørelse"), HTMX sections and a constant number of queries."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.forms.vurdering import SagsvurderingForm
from assessment.models import Indsats, Indsatsmaal, Prislinje, Sagsvurdering
from assessment.services.udredning import funktionsevne_score, tema_oplysning_save, udredning_start
from assessment.services.vurdering import (
    indsats_add,
    maal_add,
    prislinje_add,
    sagsvurdering_start,
    sagsvurdering_update,
    stoettebehov_set,
)
from cases.lifecycle import Fase
from cases.models import Sag
from cases.services.sag import sag_transition
from tests.catalogs import load_catalog
from tests.factories import OrganisationFactory, UserFactory, sag_in_phase
from tests.mads import mads_time
from tests.web.conftest import World
from vum.audit.models import AuditAction, AuditEvent
from vum.catalog.models import Maalgruppe, Maaltype, Tema, Tilbudstype, Undertema, Ydelse

MADS_SCORES = {
    "Varetage uddannelse": 2,
    "Varetage egen sundhed": 2,
    "Gøre rent": 2,
    "Indgå i samspil og kontakt": 2,
}
MADS_GOALS = [
    ("Jeg passer selv min lejlighed, laver mad og vasker tøj", "Gøre rent", "3.5"),
    ("Jeg har fokus på mine egne behov og siger fra", "Indgå i samspil og kontakt", "3"),
    ("Jeg er stoppet med at ryge hash og har six pack", "Varetage egen sundhed", "1"),
    ("Jeg er i gang med en uddannelse", "Varetage uddannelse", "0.5"),
]


@pytest.fixture(autouse=True)
def catalog(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "randers"
    load_catalog()


def undertema(navn: str) -> Undertema:
    return Undertema.objects.current().get(navn=navn)


def ydelse(navn: str) -> Ydelse:
    return Ydelse.objects.current().get(navn=navn)


def _scored(sag: Sag, caseworker: Any, scores: dict[str, int]) -> Sag:
    """Inform and score the case in sagsoplysning, then move it on to sagsvurdering."""
    Sag.objects.filter(pk=sag.pk).update(fase=Fase.SAGSOPLYSNING)
    sag.refresh_from_db()
    udredning = udredning_start(actor=caseworker, sag=sag)
    tema_oplysning_save(
        actor=caseworker,
        udredning=udredning,
        tema=Tema.objects.current().get(navn="Relationer"),
        fra_borgeren="Jeg kan ikke sige nej til mine venner.",
    )
    for navn, vaerdi in scores.items():
        funktionsevne_score(
            actor=caseworker, udredning=udredning, undertema=undertema(navn), vaerdi=vaerdi
        )
    return sag_transition(actor=caseworker, sag=sag, name="start_sagsvurdering")


@pytest.fixture
def sag(world: World) -> Sag:
    """The world's case, scored as Mads and in sagsvurdering (not yet started)."""
    return _scored(world.sag, world.users["sagsbehandler_ind"], MADS_SCORES)


@pytest.fixture
def vurdering(world: World, sag: Sag) -> Sagsvurdering:
    return sagsvurdering_start(actor=world.users["sagsbehandler_ind"], sag=sag)


def _client(world: World, role: str = "sagsbehandler_ind") -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _page(client: Client, sag: Sag) -> str:
    response = client.get(reverse("sagsvurdering", args=[sag.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _url(name: str, sag: Sag, *args: int) -> str:
    return reverse(name, args=[sag.pk, *args])


def _read(sag: Sag) -> dict[str, str]:
    """The version of the sagsvurdering a section form is filled in from (a page sends it)."""
    return {"version": str(Sagsvurdering.objects.get(sag=sag).version)}


def _posted(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return [str(v) for v in value]
    return value.isoformat() if isinstance(value, date) else str(value)


def _own(sag: Sag, **changes: Any) -> dict[str, Any]:
    """What the page's one form sends: every own field as saved (and the version read), with
    the user's changes."""
    vurdering = Sagsvurdering.objects.get(sag=sag)
    initial = SagsvurderingForm.initial_for(vurdering, vurdering.maalgrupper.all())
    return {name: _posted(value) for name, value in (initial | changes).items()}


def _goal_data(text: str, sub: str, hours: str, org_pk: int | None = None) -> dict[str, Any]:
    return {
        "maalformulering": text,
        "maaltype": Maaltype.objects.current().get(navn="Udvikle funktionsevne").pk,
        "primaert_undertema": undertema(sub).pk,
        "forventet_niveau": "1",
        "udfoerer": org_pk or "",
        "timer_pr_uge": hours,
    }


def _line(y: Ydelse, enhed: str, antal: int, pris: int) -> dict[str, Any]:
    return {
        "ydelse": y.pk,
        "enhed": enhed,
        "antal_pr_periode": str(antal),
        "frekvens": "uge",
        "gentagelser": "26",
        "enhedspris": str(pris),
    }


def _one_goal(actor: Any, vurdering: Sagsvurdering) -> None:
    maal_add(
        actor=actor,
        vurdering=vurdering,
        maalformulering="Jeg siger fra",
        maaltype=Maaltype.objects.current().get(navn="Udvikle funktionsevne"),
        primaert_undertema=undertema("Indgå i samspil og kontakt"),
    )


# Permissions


def test_the_team_caseworker_starts_and_edits(world: World, sag: Sag) -> None:
    client = _client(world)
    assert "Start sagsvurdering" in _page(client, sag)
    response = client.post(_url("sagsvurdering_start", sag))
    assert response.status_code == 302
    html = _page(client, sag)
    assert "Start sagsvurdering" not in html
    for name in ("sagsvurdering_save", "vurdering_maal", "vurdering_indsats"):
        assert _url(name, sag) in html
    # The sections in the method's order.
    titles = [
        "Vurdering af borgerens situation",
        "Indsatsmål",
        "Vurdering af støttebehov og indsats",
        "Indsatser</h2>",
        "Civilsamfund",
        "Målgruppe</h2>",
        "Handleplan og helhedsorienteret plan",
    ]
    positions = [html.index(t, html.index('id="afsnit-situation"')) for t in titles]
    assert positions == sorted(positions)


@pytest.mark.parametrize("role", ["sagsbehandler_ude", "leder_ude", "udfoerer_ind", "udvalg_ude"])
def test_users_outside_the_scope_get_404(
    world: World, sag: Sag, vurdering: Sagsvurdering, role: str
) -> None:
    client = _client(world, role)
    assert client.get(_url("sagsvurdering", sag)).status_code == 404
    assert client.post(_url("sagsvurdering_start", sag)).status_code == 404
    assert client.post(_url("sagsvurdering_save", sag), _own(sag)).status_code == 404


def test_the_leader_reads_without_forms_and_posts_are_404(
    world: World, sag: Sag, vurdering: Sagsvurdering
) -> None:
    sagsvurdering_update(
        actor=world.users["sagsbehandler_ind"],
        vurdering=vurdering,
        vurdering_af_situation="Mads har svært ved at sige fra.",
    )
    client = _client(world, "leder_ind")
    html = _page(client, sag)
    assert "Du har læseadgang" in html
    assert "Mads har svært ved at sige fra." in html
    assert "<textarea" not in html
    assert "<form" not in html.split('id="vurdering-status"')[1]
    posts = [
        (_url("sagsvurdering_start", sag), {}),
        (_url("sagsvurdering_save", sag), _own(sag, vurdering_af_situation="x")),
        (_url("vurdering_maal", sag), _goal_data("x", "Gøre rent", "1")),
        (_url("vurdering_indsats", sag), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert Sagsvurdering.objects.get().vurdering_af_situation == "Mads har svært ved at sige fra."
    assert not Indsatsmaal.objects.exists()


def test_outside_sagsvurdering_the_page_is_read_only(world: World, sag: Sag) -> None:
    Sag.objects.filter(pk=sag.pk).update(fase=Fase.SAGSOPLYSNING)
    html = _page(_client(world), sag)
    assert "kan kun ændres, mens sagen er i sagsvurdering" in html
    assert "Start sagsvurdering" not in html
    assert "Der er ikke startet en sagsvurdering" in html


def test_a_price_line_on_another_cases_indsats_is_404(
    world: World, sag: Sag, vurdering: Sagsvurdering
) -> None:
    other_user = UserFactory()
    other = _scored(
        sag_in_phase(Fase.SAGSOPLYSNING, team=other_user.teams.get(), sagsbehandler=other_user),
        other_user,
        {"Lave mad": 2},
    )
    other_vurdering = sagsvurdering_start(actor=other_user, sag=other)
    daily = ydelse("Støtte til daglige opgaver i hjemmet")
    foreign = indsats_add(actor=other_user, vurdering=other_vurdering, ydelser=[daily])
    client = _client(world)
    url = _url("vurdering_prislinje", sag, foreign.pk)
    assert client.post(url, _line(daily, "time", 2, 500)).status_code == 404
    assert not Prislinje.objects.exists()


def test_unknown_choices_are_form_errors_not_500(
    world: World, sag: Sag, vurdering: Sagsvurdering
) -> None:
    client = _client(world)
    data = _goal_data("Jeg laver mad", "Gøre rent", "1") | {"primaert_undertema": "999999"}
    response = client.post(_url("vurdering_maal", sag), data)
    assert response.status_code == 200
    assert "Marker en gyldig valgmulighed" in response.content.decode()
    # A sub-theme that is not under Aktivitet og deltagelse is not offered either.
    smerte = undertema("Smerte og sansefunktioner").pk
    response = client.post(_url("vurdering_maal", sag), data | {"primaert_undertema": smerte})
    assert "Marker en gyldig valgmulighed" in response.content.decode()
    assert not Indsatsmaal.objects.exists()


# The Mads flow


@mads_time
def test_mads_through_the_sections(world: World, sag: Sag, vurdering: Sagsvurdering) -> None:
    client = _client(world)
    x_hus = OrganisationFactory(navn="Socialpædagogisk opholdssted X-Hus")
    response = client.post(
        _url("sagsvurdering_save", sag),
        _own(
            sag,
            vurdering_af_situation="Mads har svært ved at strukturere sin hverdag.",
            indsatsformaal="Jeg har stadig min lejlighed, og jeg har taget en uddannelse.",
            samme_opfoelgning_for_alle_maal=True,
            faelles_opfoelgning="3_maaneder",
            afsnit="situation",
        ),
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#afsnit-situation")
    html = _page(client, sag)
    assert "Sagsvurderingen er gemt." in html
    assert "Mads har svært ved at strukturere sin hverdag." in html

    # The support need is refused before the goals, with the service's message on the field,
    # and nothing of the form is saved.
    response = client.post(
        _url("sagsvurdering_save", sag),
        _own(sag, stoettebehov=3, borgerens_ressourcer="Mads er god til at lave mad."),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Indsatsmålene sættes før støttebehovet: opret målene først." in html
    assert 'id="id_vurdering_stoettebehov_fejl"' in html
    assert "Mads er god til at lave mad." in html  # the input is kept
    assert (Sagsvurdering.objects.get().stoettebehov, Sagsvurdering.objects.get().version) == (
        None,
        2,
    )

    for text, sub, hours in MADS_GOALS:
        response = client.post(_url("vurdering_maal", sag), _goal_data(text, sub, hours, x_hus.pk))
        assert response.status_code == 302, response.content.decode()
    html = _page(client, sag)
    assert html.count('class="maal"') == 4
    assert "Timer pr. uge i alt: <strong>8</strong>" in html
    assert "3,5" in html
    assert "Socialpædagogisk opholdssted X-Hus" in html
    assert "Ikke vurderet" not in html  # every goal carries its sub-theme's level
    assert "2 · Moderat nedsat funktionsevne" in html

    response = client.post(_url("sagsvurdering_save", sag), _own(sag, stoettebehov=3))
    assert response.status_code == 302
    assert Sagsvurdering.objects.get().stoettebehov.vaerdi == 3

    # The pricing example: 2 ydelser of 26.000 kr. + 91.000 kr. = 143.000 kr.
    daily = ydelse("Støtte til daglige opgaver i hjemmet")
    admin = ydelse("Støtte til administration")
    social = ydelse("Social aktivitet")
    response = client.post(
        _url("vurdering_indsats", sag),
        {
            "ydelser": [daily.pk, admin.pk],
            "tilbudstype": Tilbudstype.objects.current().get(navn="Mobilt tilbud").pk,
            "udfoerer": x_hus.pk,
            "forventet_start": "2026-10-01",
        },
    )
    assert response.status_code == 302, response.content.decode()
    response = client.post(_url("vurdering_indsats", sag), {"ydelser": [social.pk]})
    assert response.status_code == 302
    mobilt, samvaer = Indsats.objects.order_by("id")
    for y in (daily, admin):
        response = client.post(
            _url("vurdering_prislinje", sag, mobilt.pk), _line(y, "time", 2, 500)
        )
        assert response.status_code == 302, response.content.decode()
    response = client.post(
        _url("vurdering_prislinje", sag, samvaer.pk), _line(social, "dag", 5, 700)
    )
    assert response.status_code == 302
    html = _page(client, sag)
    assert "26.000 kr." in html
    assert "52.000 kr." in html
    assert "91.000 kr." in html
    assert '<dd id="pris-i-alt"><strong>143.000 kr.</strong></dd>' in html
    assert "Uden slutdato" in html
    assert "SEL § 85" in html
    assert "SEL § 104" in html
    # yearly_cost: (2 + 2) hours * 500 kr. * 52 weeks + 5 days * 700 kr. * 52 weeks
    assert '<dd id="aarlig-udgift"><strong>286.000 kr.</strong></dd>' in html


def test_a_price_line_for_a_ydelse_outside_the_indsats_is_refused(
    world: World, sag: Sag, vurdering: Sagsvurdering
) -> None:
    client = _client(world)
    daily = ydelse("Støtte til daglige opgaver i hjemmet")
    indsats = indsats_add(
        actor=world.users["sagsbehandler_ind"], vurdering=vurdering, ydelser=[daily]
    )
    other = ydelse("Social aktivitet")
    response = client.post(_url("vurdering_prislinje", sag, indsats.pk), _line(other, "time", 1, 1))
    assert response.status_code == 200
    assert "Marker en gyldig valgmulighed" in response.content.decode()
    assert not Prislinje.objects.exists()


def test_a_refusal_without_the_citizens_own_need_is_refused_in_danish(
    world: World, sag: Sag, vurdering: Sagsvurdering
) -> None:
    client = _client(world)
    response = client.post(
        _url("sagsvurdering_save", sag),
        _own(
            sag,
            vurdering_af_stoettebehov="Borgeren klarer sig med hjælp fra sin søster.",
            berettiget=False,
            berettigelse_begrundelse="Søsteren hjælper hver dag.",
            borgerens_behov_vurderet="",
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Et afslag skal forholde sig til det behov, borgeren selv oplever." in html
    assert 'id="id_vurdering_borgerens_behov_vurderet_fejl"' in html
    assert "Søsteren hjælper hver dag." in html  # the input is kept
    assert Sagsvurdering.objects.get().berettiget is None


@pytest.mark.now("2025-12-01 10:00")  # planning a time-limited indsats for the first half of 2026
def test_a_fixed_end_on_85_is_refused(world: World, sag: Sag, vurdering: Sagsvurdering) -> None:
    client = _client(world)
    data = {
        "ydelser": [ydelse("Støtte til daglige opgaver i hjemmet").pk],
        "forventet_start": "2026-01-01",
        "forventet_slut": "2026-06-30",
        "konto": "5.38.42",
    }
    response = client.post(_url("vurdering_indsats", sag), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kun indsatser efter §§ 82 a, 82 b og 82 d kan have en fast slutdato" in html
    assert 'id="id_indsats_forventet_slut_fejl"' in html
    assert 'value="5.38.42"' in html
    assert not Indsats.objects.exists()
    # § 82 b may.
    data["ydelser"] = [ydelse("Individuel tidsbegrænset socialpædagogisk hjælp og støtte").pk]
    assert client.post(_url("vurdering_indsats", sag), data).status_code == 302
    assert "30.06.2026" in _page(client, sag)


def test_the_status_box_lists_the_blockers_then_none(
    world: World, sag: Sag, vurdering: Sagsvurdering
) -> None:
    client = _client(world)
    html = _page(client, sag)
    assert "Vurderingen af borgerens situation mangler." in html
    assert "Det er ikke vurderet, om borgeren er berettiget." in html
    assert "Sagsbehandleren kan træffe afgørelse" in html

    actor = world.users["sagsbehandler_ind"]
    sagsvurdering_update(
        actor=actor,
        vurdering=vurdering,
        vurdering_af_situation="Mads har svært ved at sige fra.",
        berettiget=True,
        berettigelse_begrundelse="Betydelig nedsat funktionsevne.",
    )
    _one_goal(actor, vurdering)
    html = _page(client, sag)
    assert "Støttebehovet er ikke fastsat." in html
    assert "Der er ingen indsats." in html

    stoettebehov_set(actor=actor, vurdering=vurdering, vaerdi=3)
    indsats_add(
        actor=actor,
        vurdering=vurdering,
        ydelser=[ydelse("Støtte til sociale relationer")],
    )
    response = client.post(
        _url("sagsvurdering_save", sag),
        _own(
            sag,
            primaer=Maalgruppe.objects.current()
            .get(navn="Anden intellektuel/kognitiv forstyrrelse")
            .pk,
            andre=[Maalgruppe.objects.current().get(navn="Stofmisbrug").pk],
        ),
    )
    assert response.status_code == 302
    html = _page(client, sag)
    assert "Sagsvurderingen er klar til afgørelse." in html
    assert "Før sagen kan gå videre" not in html
    assert 'id="primaer-maalgruppe">Anden intellektuel/kognitiv forstyrrelse' in html


def test_a_heading_target_group_is_not_offered(
    world: World, sag: Sag, vurdering: Sagsvurdering
) -> None:
    heading = Maalgruppe.objects.current().get(navn="Misbrug")
    response = _client(world).post(_url("sagsvurdering_save", sag), _own(sag, primaer=heading.pk))
    assert response.status_code == 200
    assert "Marker en gyldig valgmulighed" in response.content.decode()


def test_the_committee_route_is_shown_with_its_reasons(
    world: World, sag: Sag, vurdering: Sagsvurdering
) -> None:
    from assessment.models import Kompetenceregel
    from vum.catalog.selectors import current_kommune

    Kompetenceregel.objects.create(kommune=current_kommune(), beloebsgraense_pr_aar=100000)
    actor = world.users["sagsbehandler_ind"]
    daily = ydelse("Støtte til daglige opgaver i hjemmet")
    indsats = indsats_add(actor=actor, vurdering=vurdering, ydelser=[daily])
    prislinje_add(
        actor=actor,
        indsats=indsats,
        ydelse=daily,
        enhed="time",
        antal_pr_periode=Decimal(8),
        frekvens="uge",
        gentagelser=52,
        enhedspris=Decimal(500),
    )
    html = _page(_client(world), sag)
    assert "Skal forelægges visitationsudvalget" in html
    assert "overstiger grænsen på 100.000 kr." in html


# HTMX and queries


def test_htmx_gets_the_section_and_the_status_back(
    world: World, sag: Sag, vurdering: Sagsvurdering
) -> None:
    """Saved from the situation: the answer goes there, the other sections of the form and the
    status box come out of band."""
    client = _client(world)
    response = client.post(
        _url("sagsvurdering_save", sag),
        _own(sag, vurdering_af_situation="Mads bor alene.", afsnit="situation"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#afsnit-situation", "outerHTML")
    html = response.content.decode()
    assert 'id="afsnit-situation" aria-labelledby="afsnit-situation-titel">' in html
    assert html.count("Sagsvurderingen er gemt.") == 1
    assert html.index("Sagsvurderingen er gemt.") > html.index('id="afsnit-situation"')
    for section in ("stoettebehov", "civilsamfund", "maalgruppe", "handleplan"):
        assert f'aria-labelledby="afsnit-{section}-titel" hx-swap-oob="true"' in html
    assert '<form id="vurdering-form" method="post"' in html
    assert (
        'id="vurdering-status" aria-labelledby="vurdering-status-titel" hx-swap-oob="true"' in html
    )
    assert "Vurderingen af borgerens situation mangler." not in html
    assert "<html" not in html


def test_a_failed_in_place_save_answers_with_the_error_summary_at_the_top(
    world: World, sag: Sag, vurdering: Sagsvurdering
) -> None:
    response = _client(world).post(
        _url("sagsvurdering_save", sag),
        _own(
            sag,
            vurdering_af_situation="Mads bor alene.",
            civilsamfund=True,
            civilsamfund_hvilke="",
            afsnit="situation",
        ),
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Retarget"] == "#vurdering-form"
    html = response.content.decode()
    summary = html[: html.index("</form>")]
    assert "data-error-summary" in summary
    assert 'href="#id_vurdering_civilsamfund_hvilke"' in summary
    assert "Mads bor alene." in html  # the typing in the other section is kept
    assert Sagsvurdering.objects.get().vurdering_af_situation == ""


def test_saving_what_is_there_changes_nothing(
    world: World, sag: Sag, vurdering: Sagsvurdering
) -> None:
    client = _client(world)
    actor = world.users["sagsbehandler_ind"]
    _one_goal(actor, vurdering)
    primaer = Maalgruppe.objects.current().get(navn="Anden intellektuel/kognitiv forstyrrelse")
    first = _own(sag, vurdering_af_situation="Mads bor alene.", stoettebehov=2, primaer=primaer.pk)
    assert client.post(_url("sagsvurdering_save", sag), first).status_code == 302
    version = Sagsvurdering.objects.get().version
    last_event = AuditEvent.objects.order_by("pk").last()
    assert client.post(_url("sagsvurdering_save", sag), _own(sag)).status_code == 302
    assert Sagsvurdering.objects.get().version == version
    assert not AuditEvent.objects.filter(pk__gt=last_event.pk, action=AuditAction.UPDATE).exists()


def _ready_for_the_decision(world: World, sag: Sag, vurdering: Sagsvurdering) -> dict[str, Any]:
    actor = world.users["sagsbehandler_ind"]
    _one_goal(actor, vurdering)
    indsats_add(actor=actor, vurdering=vurdering, ydelser=[ydelse("Støtte til sociale relationer")])
    return _own(
        sag,
        vurdering_af_situation="Mads har svært ved at sige fra.",
        berettiget=True,
        berettigelse_begrundelse="Betydelig nedsat funktionsevne.",
        stoettebehov=2,
        primaer=Maalgruppe.objects.current()
        .get(navn="Anden intellektuel/kognitiv forstyrrelse")
        .pk,
        videre="start_afgoerelse",
    )


def test_save_and_go_to_the_decision(world: World, sag: Sag, vurdering: Sagsvurdering) -> None:
    data = _ready_for_the_decision(world, sag, vurdering)
    client = _client(world)
    response = client.post(_url("sagsvurdering_save", sag), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("afgoerelse", args=[sag.pk])
    sag.refresh_from_db()
    assert sag.fase == Fase.AFGOERELSE
    saved = Sagsvurdering.objects.get()
    assert (saved.vurdering_af_situation, saved.stoettebehov.vaerdi) == (
        "Mads har svært ved at sige fra.",
        2,
    )


def test_save_and_go_on_saves_and_stays_when_something_blocks_the_move(
    world: World, sag: Sag, vurdering: Sagsvurdering
) -> None:
    data = _ready_for_the_decision(world, sag, vurdering) | {"primaer": ""}
    client = _client(world)
    response = client.post(_url("sagsvurdering_save", sag), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("sagsvurdering", args=[sag.pk])
    sag.refresh_from_db()
    assert sag.fase == Fase.SAGSVURDERING
    assert Sagsvurdering.objects.get().vurdering_af_situation == "Mads har svært ved at sige fra."
    html = _page(client, sag)
    assert "Der er ikke valgt en primær målgruppe." in html
    assert "Sagsvurderingen er gemt." in html


def _fill(world: World, vurdering: Sagsvurdering, goals: int, indsatser: int) -> None:
    actor = world.users["sagsbehandler_ind"]
    org = OrganisationFactory()
    for n in range(goals):
        maal_add(
            actor=actor,
            vurdering=vurdering,
            maalformulering=f"Mål {n}",
            maaltype=Maaltype.objects.current().get(navn="Udvikle funktionsevne"),
            primaert_undertema=undertema(list(MADS_SCORES)[n % 4]),
            relaterede_undertemaer=[undertema("Lave mad")],
            udfoerer=org,
            timer_pr_uge=Decimal(1),
        )
    daily = ydelse("Støtte til daglige opgaver i hjemmet")
    admin = ydelse("Støtte til administration")
    for _ in range(indsatser):
        indsats = indsats_add(
            actor=actor,
            vurdering=vurdering,
            ydelser=[daily, admin],
            tilbudstype=Tilbudstype.objects.current().get(navn="Mobilt tilbud"),
            udfoerer=org,
        )
        for y in (daily, admin):
            prislinje_add(
                actor=actor,
                indsats=indsats,
                ydelse=y,
                enhed="time",
                antal_pr_periode=Decimal(2),
                frekvens="uge",
                gentagelser=26,
                enhedspris=Decimal(500),
            )


@pytest.mark.parametrize("role", ["sagsbehandler_ind", "leder_ind"])
def test_the_page_makes_as_many_queries_with_many_rows(
    world: World, sag: Sag, vurdering: Sagsvurdering, role: str
) -> None:
    client = _client(world, role)
    _fill(world, vurdering, goals=1, indsatser=1)
    _page(client, sag)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as few:
        _page(client, sag)
    _fill(world, vurdering, goals=5, indsatser=4)
    with CaptureQueriesContext(connection) as many:
        html = _page(client, sag)
    assert html.count('class="maal"') == 6
    assert html.count('<article class="indsats') == 5
    assert len(many) == len(few), [q["sql"] for q in many][len(few) :]


def test_the_case_page_links_to_the_sagsvurdering(world: World, sag: Sag) -> None:
    response = _client(world).get(reverse("sag_detail", args=[sag.pk]))
    assert _url("sagsvurdering", sag) in response.content.decode()


# No lost updates (issue 18)


def test_a_stale_section_save_is_refused_with_the_saved_text_shown(
    world: World, sag: Sag, vurdering: Sagsvurdering
) -> None:
    """Two caseworkers read the sagsvurdering at version 1; the first saves the situation, the
    second's save of the same section is refused (409), shows what was saved and keeps the
    typing; nothing of the first's is reverted."""
    first, second = _client(world), _client(world)
    data = _own(sag)
    saved = first.post(
        _url("sagsvurdering_save", sag), data | {"vurdering_af_situation": "Mads bor alene."}
    )
    assert saved.status_code == 302
    refused = second.post(
        _url("sagsvurdering_save", sag), data | {"vurdering_af_situation": "Mads bor hos sin mor."}
    )
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Dine ændringer er ikke gemt endnu" in html
    assert "Mads bor alene." in html  # what was saved, by the field
    assert "Mads bor hos sin mor." in html  # the typing kept
    assert 'name="version" value="2"' in html.split('id="vurdering-form"', 1)[1]
    vurdering.refresh_from_db()
    assert (vurdering.vurdering_af_situation, vurdering.version) == ("Mads bor alene.", 2)


def test_what_blocks_the_decision_links_to_where_it_is_put_right(
    world: World, vurdering: Sagsvurdering
) -> None:
    html = _page(_client(world), vurdering.sag)
    videre = html[html.index('id="videre"') :]
    for reason, where in [
        ("Vurderingen af borgerens situation mangler.", "afsnit-situation"),
        ("Der er ingen indsatsmål.", "afsnit-maal"),
        ("Støttebehovet er ikke fastsat.", "afsnit-stoettebehov"),
        ("Der er ingen indsats.", "afsnit-indsatser"),
        ("Der er ikke valgt en primær målgruppe.", "afsnit-maalgruppe"),
    ]:
        assert f'<a href="#{where}">{reason}</a>' in videre
        assert f'id="{where}"' in html
