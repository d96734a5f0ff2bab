"""The caseworker's pages for the sagsoplysning: the udredning (themes, sources, scores,
delanalyser), requests for information and partshøring.

Dates are relative to the suite's instant (tests/clock.py), whichever day it is: scores and
answers dated today, consents given today, answer deadlines some days ahead; no rule here
depends on which day today is.
"""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment.models import Funktionsevnevurdering, Indhentning, Partshoering, TemaOplysning
from assessment.services.partshoering import minimum_answer_date
from assessment.services.udredning import funktionsevne_score, tema_oplysning_save, udredning_start
from cases.lifecycle import Fase
from cases.models import Relation, Sag, Samtykke
from cases.services.sagsaabning import samtykke_register
from tests.catalogs import load_catalog
from tests.factories import RelationFactory, sag_in_phase
from tests.web.conftest import World
from vum.audit.models import AuditAction, AuditEvent
from vum.catalog.models import Tema, Undertema

OVERFOERT = "Overført \N{EN DASH} skal opdateres"


@pytest.fixture(autouse=True)
def catalog(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "randers"
    load_catalog()


@pytest.fixture
def sag(world: World) -> Sag:
    """The world's case, moved on to sagsoplysning."""
    Sag.objects.filter(pk=world.sag.pk).update(fase=Fase.SAGSOPLYSNING)
    world.sag.refresh_from_db()
    return world.sag


def _client(world: World, role: str = "sagsbehandler_ind") -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def tema(navn: str) -> Tema:
    return Tema.objects.current().get(navn=navn)


def undertema(navn: str) -> Undertema:
    return Undertema.objects.current().get(navn=navn)


def _start(world: World, sag: Sag):  # type: ignore[no-untyped-def]
    return udredning_start(actor=world.users["sagsbehandler_ind"], sag=sag)


def _page(client: Client, sag: Sag) -> str:
    response = client.get(reverse("udredning", args=[sag.pk]))
    assert response.status_code == 200
    return response.content.decode()


# Permissions


def test_the_caseworker_in_the_team_starts_and_edits(world: World, sag: Sag) -> None:
    client = _client(world)
    assert "Start udredning" in _page(client, sag)
    response = client.post(reverse("udredning_start", args=[sag.pk]))
    assert response.status_code == 302
    html = _page(client, sag)
    assert reverse("tema_save", args=[sag.pk, tema("Relationer").pk]) in html
    # The three categories in the recommended order, all eleven themes as collapsible sections.
    positions = [
        html.index(n) for n in ("Funktioner og forhold", "Omgivelsesfaktorer", "Aktivitet og del")
    ]
    assert positions == sorted(positions)
    assert html.count('<details class="tema ') == 11
    assert html.count("Ikke oplyst") == 11


@pytest.mark.parametrize("role", ["sagsbehandler_ude", "leder_ude", "udfoerer_ind", "udvalg_ude"])
def test_users_outside_the_scope_get_404(world: World, sag: Sag, role: str) -> None:
    _start(world, sag)
    client = _client(world, role)
    for name in ("udredning", "partshoering"):
        assert client.get(reverse(name, args=[sag.pk])).status_code == 404
    assert client.post(reverse("udredning_start", args=[sag.pk])).status_code == 404


@pytest.mark.parametrize("role", ["leder_ind", "udvalg_ind"])
def test_leader_and_committee_read_without_forms(world: World, sag: Sag, role: str) -> None:
    udredning = _start(world, sag)
    tema_oplysning_save(
        actor=world.users["sagsbehandler_ind"],
        udredning=udredning,
        tema=tema("Relationer"),
        fra_borgeren="Jeg har mange venner.",
    )
    client = _client(world, role)
    html = _page(client, sag)
    assert "Du har læseadgang" in html
    assert "Jeg har mange venner." in html
    assert "<textarea" not in html
    assert 'type="radio"' not in html
    assert "Start udredning" not in html
    partshoering = client.get(reverse("partshoering", args=[sag.pk])).content.decode()
    assert "Send partshøring" not in partshoering

    posts = [
        (reverse("udredning_start", args=[sag.pk]), {}),
        (reverse("tema_save", args=[sag.pk, tema("Relationer").pk]), {"fra_borgeren": "x"}),
        (
            reverse("tema_save", args=[sag.pk, undertema("Lave mad").tema_id]),
            {f"niveau_{undertema('Lave mad').pk}": "1"},
        ),
        (reverse("indhentning_add", args=[sag.pk]), {"part": "egen_laege", "hvad": "x"}),
        (reverse("partshoering", args=[sag.pk]), {"hvad_hoeres": "x", "modtager": "borger"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert TemaOplysning.objects.get().fra_borgeren == "Jeg har mange venner."
    assert not Funktionsevnevurdering.objects.exists()


def test_unknown_theme_or_sub_theme_is_404(world: World, sag: Sag) -> None:
    _start(world, sag)
    client = _client(world)
    assert client.post(reverse("tema_save", args=[sag.pk, 999999]), {}).status_code == 404
    assert client.post(reverse("kilde_add", args=[sag.pk, 999999]), {}).status_code == 404


# Themes and sources


@pytest.mark.now("2026-09-04 10:00")  # the day after the home visit
def test_save_a_theme_with_highlighted_sub_themes_and_a_source(world: World, sag: Sag) -> None:
    udredning = _start(world, sag)
    client = _client(world)
    relationer = tema("Relationer")
    samspil = undertema("Indgå i samspil og kontakt")
    response = client.post(
        reverse("tema_save", args=[sag.pk, relationer.pk]),
        {
            "fra_borgeren": "Jeg har omkring 100 venner.",
            "bemaerkninger": "Hjemmebesøg 3. september, moren deltog.",
            "fremhaevede_undertemaer": [str(samspil.pk)],
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#tema-{relationer.pk}")
    row = udredning.temaer.get(tema=relationer)
    assert row.fra_borgeren == "Jeg har omkring 100 venner."
    assert list(row.fremhaevede_undertemaer.all()) == [samspil]

    response = client.post(
        reverse("kilde_add", args=[sag.pk, relationer.pk]),
        {"titel": "Notat fra hjemmebesøg", "dato": "2026-09-03", "udsagn_af": "Malene (mor)"},
    )
    assert response.status_code == 302
    html = _page(client, sag)
    assert "Notat fra hjemmebesøg" in html
    assert "Malene (mor)" in html
    assert html.count("Ikke oplyst") == 10
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="assessment.Kildehenvisning"
    ).exists()


def test_left_out_information_without_a_reason_keeps_the_input(world: World, sag: Sag) -> None:
    _start(world, sag)
    response = _client(world).post(
        reverse("tema_save", args=[sag.pk, tema("Sociale forhold").pk]),
        {"fra_borgeren": "Bor alene.", "udeladt_oplysning": "Borgerens syn på naboerne"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Angiv hvorfor oplysningen er udeladt." in html
    assert "Borgerens syn på naboerne" in html
    assert "Bor alene." in html
    assert 'aria-invalid="true"' in html
    assert not TemaOplysning.objects.exists()


def test_htmx_gets_the_theme_section_back(world: World, sag: Sag) -> None:
    _start(world, sag)
    relationer = tema("Relationer")
    response = _client(world).post(
        reverse("tema_save", args=[sag.pk, relationer.pk]),
        {"fra_borgeren": "Mange venner."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<details class="tema tema--oplyst" id="tema-{relationer.pk}"')
    assert "Relationer er gemt." in html
    assert "<html" not in html


def test_a_carried_over_theme_is_marked_until_updated(world: World, sag: Sag) -> None:
    caseworker = world.users["sagsbehandler_ind"]
    earlier = sag_in_phase(Fase.SAGSOPLYSNING, borger=sag.borger, team=sag.team)
    first = udredning_start(actor=caseworker, sag=earlier)
    tema_oplysning_save(
        actor=caseworker, udredning=first, tema=tema("Relationer"), fra_borgeren="Mange venner."
    )
    client = _client(world)
    html = _page(client, sag)
    assert "Start fra den forrige" in html
    response = client.post(reverse("udredning_genbrug", args=[sag.pk]), {"forrige": str(first.pk)})
    assert response.status_code == 200
    assert "samtykke" in response.content.decode()
    response = client.post(
        reverse("udredning_genbrug", args=[sag.pk]),
        {
            "forrige": str(first.pk),
            "genbrug_samtykke_givet": timezone.localdate().isoformat(),
            "genbrug_samtykke_form": Samtykke.Form.MUNDTLIGT,
        },
    )
    assert response.status_code == 302
    html = _page(client, sag)
    assert OVERFOERT in html
    client.post(
        reverse("tema_save", args=[sag.pk, tema("Relationer").pk]),
        {"fra_borgeren": "Færre venner."},
    )
    assert OVERFOERT not in _page(client, sag)


def test_outside_sagsoplysning_the_page_is_read_only(world: World, sag: Sag) -> None:
    _start(world, sag)
    Sag.objects.filter(pk=sag.pk).update(fase=Fase.SAGSVURDERING)
    client = _client(world)
    html = _page(client, sag)
    assert "Udredningen kan kun ændres, mens sagen er i sagsoplysning" in html
    assert reverse("tema_save", args=[sag.pk, tema("Relationer").pk]) not in html
    response = client.post(
        reverse("tema_save", args=[sag.pk, tema("Relationer").pk]),
        {"fra_borgeren": "Ændret"},
        follow=True,
    )
    assert response.status_code == 200
    assert "kun ændres, mens sagen er i sagsoplysning" in response.content.decode()
    assert not TemaOplysning.objects.exists()


# Scores


def test_grete_funktioner_og_forhold_have_no_scoring_table(world: World, sag: Sag) -> None:
    _start(world, sag)
    client = _client(world)
    html = _page(client, sag)
    for navn in ("Bevægelse", "Stemme og tale"):
        assert f'name="niveau_{undertema(navn).pk}"' not in html
    assert f'name="niveau_{undertema("Lave mad").pk}"' in html
    # Six Aktivitet og deltagelse themes, one scoring table each.
    assert html.count('class="table table--compact scores"') == 6
    # A level sent for a sub-theme that takes none is not a field of its theme: ignored.
    bevaegelse = undertema("Bevægelse")
    response = client.post(
        reverse("tema_save", args=[sag.pk, bevaegelse.tema_id]),
        {"fra_borgeren": "Går dårligt.", f"niveau_{bevaegelse.pk}": "2"},
    )
    assert response.status_code == 302
    assert not Funktionsevnevurdering.objects.exists()


def test_mads_scores_indgaa_i_samspil_and_sees_the_history(world: World, sag: Sag) -> None:
    _start(world, sag)
    client = _client(world)
    samspil = undertema("Indgå i samspil og kontakt")
    url = reverse("tema_save", args=[sag.pk, samspil.tema_id])
    field = f"niveau_{samspil.pk}"
    html = _page(client, sag)
    assert samspil.definition in html
    assert "Udfører i perioder de fleste eller nogle relevante aktiviteter" in html
    assert "Ikke vurderet" in html

    earlier = timezone.localdate() - timedelta(days=10)
    response = client.post(url, {field: "2", "vurderingsdato": earlier.isoformat()})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#tema-{samspil.tema_id}")
    response = client.post(url, {field: "3", "vurderingsdato": timezone.localdate().isoformat()})
    assert response.status_code == 302
    # Saving the theme with the level it already has adds no score.
    response = client.post(url, {field: "3", "vurderingsdato": timezone.localdate().isoformat()})
    assert response.status_code == 302
    assert Funktionsevnevurdering.objects.count() == 2

    html = _page(client, sag)
    row = html[html.index(f'id="undertema-{samspil.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "<strong>3 · Svært nedsat funktionsevne</strong>" in row
    assert f"{earlier:%d.%m.%Y}: 2 · Moderat nedsat funktionsevne" in row

    # A date in the future is refused with the service's Danish reason, the choice kept.
    future = timezone.localdate() + timedelta(days=1)
    response = client.post(
        url, {field: "1", "vurderingsdato": future.isoformat(), "fra_borgeren": "Nyt."}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "En vurdering kan ikke dateres i fremtiden." in html
    assert f'value="{future.isoformat()}"' in html
    assert Funktionsevnevurdering.objects.count() == 2
    # All or nothing: the theme's text was not saved either.
    assert not TemaOplysning.objects.filter(fra_borgeren="Nyt.").exists()


def test_the_page_makes_as_many_queries_with_many_scores(world: World, sag: Sag) -> None:
    udredning = _start(world, sag)
    caseworker = world.users["sagsbehandler_ind"]
    tema_oplysning_save(
        actor=caseworker, udredning=udredning, tema=tema("Relationer"), fra_borgeren="Venner."
    )
    funktionsevne_score(
        actor=caseworker, udredning=udredning, undertema=undertema("Lave mad"), vaerdi=1
    )
    client = _client(world)
    _page(client, sag)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as few:
        _page(client, sag)
    subs = Undertema.objects.current().filter(scores=True)[:12]
    for u in subs:
        for vaerdi in (1, 2, 3):
            funktionsevne_score(actor=caseworker, udredning=udredning, undertema=u, vaerdi=vaerdi)
    assert Funktionsevnevurdering.objects.count() > 30
    with CaptureQueriesContext(connection) as many:
        _page(client, sag)
    assert len(many) == len(few), [q["sql"] for q in many][len(few) :]


def test_delanalyse_is_saved(world: World, sag: Sag) -> None:
    udredning = _start(world, sag)
    kategori = tema("Relationer").kategori
    response = _client(world).post(
        reverse("delanalyse_save", args=[sag.pk, kategori.pk]),
        {"tekst": "Mads har et stort netværk, men svært ved at sige fra."},
    )
    assert response.status_code == 302
    assert udredning.delanalyser.get().tekst.startswith("Mads har et stort netværk")


# Requests for information


def test_a_request_without_consent_is_refused_with_the_reason(world: World, sag: Sag) -> None:
    client = _client(world)
    url = reverse("indhentning_add", args=[sag.pk])
    data = {"part": Samtykke.Part.EGEN_LAEGE, "specifikation": "Dr. Berg", "hvad": "Statusattest"}
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="indhentning-afvist"' in html
    assert "Borgeren har ikke givet et gældende samtykke" in html
    assert "Statusattest" in html
    assert not Indhentning.objects.exists()

    samtykke_register(
        actor=world.users["sagsbehandler_ind"],
        sag=sag,
        retning=Samtykke.Retning.INDHENTELSE,
        part=Samtykke.Part.EGEN_LAEGE,
        form=Samtykke.Form.SKRIFTLIGT,
        givet=timezone.localdate(),
    )
    response = client.post(url, data)
    assert response.status_code == 302
    assert Indhentning.objects.get().specifikation == "Dr. Berg"
    assert "Statusattest" in _page(client, sag)


# Partshøring


def _hearing_data(days: int, **extra: str) -> dict[str, str]:
    return {
        "hvad_hoeres": "Statusattest fra egen læge af 2. juni om dit helbred.",
        "modtager": Partshoering.Modtager.BORGER,
        "modtager_relation": "",
        "svarfrist": (timezone.localdate() + timedelta(days=days)).isoformat(),
        **extra,
    }


def test_a_13_day_deadline_is_refused_in_danish(world: World, sag: Sag) -> None:
    client = _client(world)
    page = client.get(reverse("partshoering", args=[sag.pk])).content.decode()
    assert f'value="{minimum_answer_date().isoformat()}"' in page
    response = client.post(reverse("partshoering", args=[sag.pk]), _hearing_data(13))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Svarfristen skal være mindst 14 dage" in html
    assert "Statusattest fra egen læge af 2. juni om dit helbred." in html
    assert not Partshoering.objects.exists()


def test_send_download_and_answer_a_hearing(world: World, sag: Sag) -> None:
    client = _client(world)
    url = reverse("partshoering", args=[sag.pk])
    response = client.post(url, _hearing_data(14))
    assert response.status_code == 302
    hoering = Partshoering.objects.get()
    html = client.get(url).content.decode()
    assert "Afventer svar" in html

    brev = reverse("partshoering_brev", args=[sag.pk, hoering.pk])
    response = client.get(brev)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.object_type, event.object_id, event.borger_id) == (
        "assessment.Partshoering",
        str(hoering.pk),
        sag.borger_id,
    )
    # The leader may read (and print) it; a caseworker of another team does not find it.
    assert _client(world, "leder_ind").get(brev).status_code == 200
    assert _client(world, "sagsbehandler_ude").get(brev).status_code == 404

    svar = reverse("partshoering_svar", args=[sag.pk, hoering.pk])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(svar, {"svar": "Jeg er uenig.", "modtaget": tomorrow})
    assert response.status_code == 200
    assert "Svaret skal være modtaget mellem afsendelsen og i dag." in response.content.decode()
    response = client.post(
        svar, {"svar": "Jeg er uenig.", "modtaget": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    hoering.refresh_from_db()
    assert hoering.svar_modtaget == timezone.localdate()
    html = client.get(url).content.decode()
    assert "Besvaret" in html
    assert "Jeg er uenig." in html


def test_a_hearing_to_the_guardian_and_another_case_hearing_is_404(world: World, sag: Sag) -> None:
    client = _client(world)
    url = reverse("partshoering", args=[sag.pk])
    response = client.post(url, _hearing_data(14, modtager=Partshoering.Modtager.VAERGE))
    assert response.status_code == 200
    assert "Vælg borgerens registrerede værge eller partsrepræsentant." in (
        response.content.decode()
    )
    vaerge = RelationFactory(borger=sag.borger, type=Relation.Type.VAERGE, vaergemaalsform="par5")
    response = client.post(
        url,
        _hearing_data(14, modtager=Partshoering.Modtager.VAERGE, modtager_relation=str(vaerge.pk)),
    )
    assert response.status_code == 302
    assert Partshoering.objects.get().modtager_navn == vaerge.navn

    other = sag_in_phase(Fase.SAGSOPLYSNING, team=sag.team)
    hoering = Partshoering.objects.get()
    assert client.get(reverse("partshoering_brev", args=[other.pk, hoering.pk])).status_code == 404
    response = client.post(
        reverse("partshoering_svar", args=[other.pk, hoering.pk]),
        {"svar": "x", "modtaget": timezone.localdate().isoformat()},
    )
    assert response.status_code == 404


def test_an_expired_hearing_shows_as_such(world: World, sag: Sag) -> None:
    client = _client(world)
    client.post(reverse("partshoering", args=[sag.pk]), _hearing_data(14))
    deadline = Partshoering.objects.get().frist.frist
    with time_machine.travel(deadline + timedelta(seconds=1)):  # a new session, a day later
        html = _client(world).get(reverse("partshoering", args=[sag.pk])).content.decode()
    assert "Frist udløbet" in html


def test_the_case_page_links_to_the_udredning(world: World, sag: Sag) -> None:
    html = _client(world).get(reverse("sag_detail", args=[sag.pk])).content.decode()
    assert reverse("udredning", args=[sag.pk]) in html
