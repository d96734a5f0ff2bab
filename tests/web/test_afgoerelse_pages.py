"""The afgørelse page: the Jørn decision recorded through the form (lines prefilled from the
sagsvurdering's indsatser), the letter previewed, edited and sent, the frozen letter downloaded
with the edited text, a partial refusal without reasons refused in Danish with the input kept,
permissions, and a complaint through fastholdt, Ankestyrelsen and stadfæstet."""

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessment.letters import afgoerelse_letter_texts
from assessment.models import Afgoerelse, Brev, Indsats, Klage, Sagsvurdering
from assessment.services.afgoerelse import Resultatlinje, afgoerelse_create, afgoerelse_send
from assessment.services.forsendelse import brev_dispatch
from assessment.services.klage import klage_register
from cases.lifecycle import Fase
from cases.models import Henvendelse, Sag
from tests.catalogs import load_catalog
from tests.pdf import pdf_text
from tests.web.conftest import World
from vum.audit.models import AuditAction, AuditEvent
from vum.catalog.models import KommunalYdelse, Ydelse

# Jørn's case: he applied on 23 April 2026, the decision is of 29 May and is sent on 3 June.
pytestmark = pytest.mark.now("2026-06-03 10:00")

REASONS = {
    "begrundelse_vurdering": "Vi vurderer, at du kan bo i egen bolig med støtte.",
    "begrundelse_oplysninger": "Statusnotat fra Bostedet Møllebo og dine egne oplysninger.",
    "begrundelse_regler": "Servicelovens § 107, stk. 2, nr. 1 og § 85.",
    "saerligt_om_synspunkter": "Du vil gerne blive boende på Møllebo.",
}


@pytest.fixture(autouse=True)
def catalog(db: None, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "viborg"
    settings.VUM_LETTER_DIR = tmp_path / "breve"
    load_catalog()


def ydelse(kode: str) -> KommunalYdelse:
    return KommunalYdelse.objects.current().get(kommune__slug="viborg", kode=kode)


@pytest.fixture
def sag(world: World) -> Sag:
    """The world's case in afgørelse, with Jørn's two indsatser in its sagsvurdering."""
    sag = world.sag
    Sag.objects.filter(pk=sag.pk).update(fase=Fase.AFGOERELSE)
    sag.refresh_from_db()
    user = world.users["sagsbehandler_ind"]
    Henvendelse.objects.create(
        borger=sag.borger,
        kilde=Henvendelse.Kilde.BORGER,
        aarsag="Ansøgning om fortsat botilbud",
        team=sag.team,
        triage=Henvendelse.Triage.SAG,
        sag=sag,
        modtaget=date(2026, 4, 23),
        registreret_af=user,
    )
    vurdering = Sagsvurdering.objects.create(sag=sag, oprettet_af=user)
    for kode in ("V-107", "V-85"):
        indsats = Indsats.objects.create(
            vurdering=vurdering, kommunal_ydelse=ydelse(kode), forventet_start=date(2026, 8, 1)
        )
        leaf = Ydelse.objects.current().filter(lovgrundlag__icontains=kode[2:]).first()
        if leaf is not None:
            indsats.ydelser.add(leaf)
    return sag


def _client(world: World, role: str = "sagsbehandler_ind") -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _url(name: str, sag: Sag, *args: int) -> str:
    return reverse(name, args=[sag.pk, *args])


def _page(client: Client, sag: Sag) -> str:
    response = client.get(_url("afgoerelse", sag))
    assert response.status_code == 200
    return response.content.decode()


def _decision_data(sag: Sag, **overrides: Any) -> dict[str, Any]:
    indsatser = list(Sagsvurdering.objects.get(sag=sag).indsatser.order_by("id"))
    data: dict[str, Any] = {
        "truffet_af": "sagsbehandler",
        "form": "skriftlig",
        "truffet": "2026-05-29",
        "meddelt": "",
        "egenbetaling_tekst": "",
        "maalgruppe": "",
        "erstatter": "",
        **REASONS,
        "resultat-TOTAL_FORMS": "2",
        "resultat-INITIAL_FORMS": "2",
        "resultat-MIN_NUM_FORMS": "0",
        "resultat-MAX_NUM_FORMS": "1000",
    }
    lines = [
        ("fortsat midlertidigt botilbud efter servicelovens § 107", "afslag", "", "V-107"),
        ("socialpædagogisk støtte efter servicelovens § 85", "bevilget", "6 timer om ugen", "V-85"),
    ]
    for i, (text, result, scope, kode) in enumerate(lines):
        data.update(
            {
                f"resultat-{i}-indsats": indsatser[i].pk,
                f"resultat-{i}-beskrivelse": text,
                f"resultat-{i}-kommunal_ydelse": ydelse(kode).pk,
                f"resultat-{i}-resultat": result,
                f"resultat-{i}-omfang": scope,
                f"resultat-{i}-virkningsdato": "2026-08-01",
            }
        )
    data.update(overrides)
    return data


def _texts(afgoerelse: Afgoerelse, **changes: str) -> dict[str, str]:
    return {**afgoerelse_letter_texts(afgoerelse=afgoerelse), **changes}


def test_the_jorn_flow_through_the_pages(world: World, sag: Sag) -> None:
    client = _client(world)
    html = _page(client, sag)
    # One line per indsats of the sagsvurdering, prefilled.
    assert 'name="resultat-TOTAL_FORMS" value="2"' in html
    assert "Registrér afgørelsen" in html
    response = client.post(_url("afgoerelse_create", sag), _decision_data(sag))
    assert response.status_code == 302
    afgoerelse = Afgoerelse.objects.get(sag=sag)
    assert [r.resultat for r in afgoerelse.resultater.all()] == ["afslag", "bevilget"]
    assert afgoerelse.resultater.last().omfang == "6 timer om ugen"  # type: ignore[union-attr]

    html = _page(client, sag)
    assert "Vis forhåndsvisning" in html
    assert "Send brevet" in html
    assert "din henvendelse modtaget 23.04.2026" in html  # the default overskrift
    texts = _texts(afgoerelse, indsatsformaal="at du bor i egen bolig og har styr på din økonomi.")

    preview = client.post(_url("afgoerelse_preview", sag, afgoerelse.pk), texts)
    assert preview.status_code == 200
    assert preview["Content-Type"] == "application/pdf"
    assert preview["Content-Disposition"].startswith("inline")
    assert preview.content.startswith(b"%PDF")
    assert "har styr på din økonomi" in pdf_text(preview.content)
    assert not Brev.objects.exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, summary="Forhåndsvisning af afgørelsesbrev"
    ).exists()

    response = client.post(_url("afgoerelse_send", sag, afgoerelse.pk), texts)
    assert response.status_code == 302
    brev = Brev.objects.get()
    assert brev.indhold["indsatsformaal"].startswith("at du bor i egen bolig")

    html = _page(client, sag)
    download = _url("afgoerelse_brev", sag, afgoerelse.pk, brev.pk)
    assert download in html
    assert "Afventer afsendelse" in html
    assert "Send rettelsen" in html
    pdf = client.get(download)
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "har styr på din økonomi" in text
    assert "6 timer om ugen" in text
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, summary__startswith="Afgørelsesbrev hentet"
    ).exists()

    # Dispatched: the status and the complaint deadline show.
    forsendelse = brev_dispatch(brev_id=brev.pk)
    afgoerelse.refresh_from_db()
    html = _page(client, sag)
    assert f"via {forsendelse.kanal}" in html
    assert timezone.localtime(afgoerelse.klagefrist).strftime("%d.%m.%Y") in html  # type: ignore[arg-type]

    # A correction is a new letter pointing to the first.
    response = client.post(
        _url("afgoerelse_send", sag, afgoerelse.pk),
        {**texts, "kontakt": "Ring til mig på 87 87 87 87.", "retter": brev.pk},
    )
    assert response.status_code == 302
    correction = Brev.objects.exclude(pk=brev.pk).get()
    assert correction.retter == brev
    assert "87 87 87 87" in pdf_text(bytes(correction.pdf))


def test_a_partial_refusal_without_reasons_is_refused_in_danish(world: World, sag: Sag) -> None:
    client = _client(world)
    data = _decision_data(sag, begrundelse_vurdering="", begrundelse_regler="")
    response = client.post(_url("afgoerelse_create", sag), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Uden fuldt medhold skal afgørelsen begrundes med den konkrete vurdering." in html
    assert "Angiv de juridiske krav, afgørelsen bygger på." in html
    assert 'id="id_afg_begrundelse_vurdering_fejl"' in html
    assert "6 timer om ugen" in html  # the input is kept
    assert REASONS["saerligt_om_synspunkter"] in html
    assert not Afgoerelse.objects.exists()


def test_a_reduction_too_soon_is_shown_on_the_result_lines(world: World, sag: Sag) -> None:
    data = _decision_data(
        sag,
        **{
            "meddelt": "2026-06-01",
            "resultat-1-kommunal_ydelse": ydelse("V-96").pk,
            "resultat-1-resultat": "delvist_afslag",
            "resultat-1-nedsaettelse": "on",
            "resultat-1-virkningsdato": "2026-07-01",
        },
    )
    response = _client(world).post(_url("afgoerelse_create", sag), data)
    html = response.content.decode()
    assert 'id="resultater-fejl"' in html
    assert "14 uger" in html
    assert not Afgoerelse.objects.exists()


def _decided(world: World, sag: Sag) -> Afgoerelse:
    return afgoerelse_create(
        actor=world.users["sagsbehandler_ind"],
        sag=sag,
        truffet_af="sagsbehandler",
        form="skriftlig",
        fuldt_medhold=False,
        truffet=date(2026, 5, 29),
        resultater=[
            Resultatlinje(
                beskrivelse="fortsat midlertidigt botilbud",
                resultat="afslag",
                virkningsdato=date(2026, 8, 1),
                kommunal_ydelse=ydelse("V-107"),
            )
        ],
        **REASONS,
    )


def test_the_letter_form_previews_and_sends_with_its_one_token(world: World, sag: Sag) -> None:
    """The preview and the send button share the letter form's one-time token: a preview keeps
    nothing, so the send after it is done, and a second click on send is the first's result."""
    afgoerelse = _decided(world, sag)
    client = _client(world)
    page = _page(client, sag)
    token = re.search(r'name="vum_form_token" value="([^"]+)"', page.split("brev-tekster")[1])
    assert token is not None
    texts = {**_texts(afgoerelse), "vum_form_token": token.group(1)}
    for _ in range(2):
        assert client.post(_url("afgoerelse_preview", sag, afgoerelse.pk), texts).status_code == 200
    sent = [client.post(_url("afgoerelse_send", sag, afgoerelse.pk), texts) for _ in range(2)]
    assert [r.status_code for r in sent] == [302, 302]
    assert sent[0]["Location"] == sent[1]["Location"]
    assert Brev.objects.filter(afgoerelse=afgoerelse).count() == 1


def test_the_case_page_shows_a_letter_waiting_for_its_dispatch_until_it_is_sent(
    world: World, sag: Sag, django_assert_max_num_queries: Any
) -> None:
    client = _client(world)
    case_page = reverse("sag_detail", args=[sag.pk])
    assert 'id="breve"' not in client.get(case_page).content.decode()  # no letters, no panel

    brev = afgoerelse_send(
        actor=world.users["sagsbehandler_ind"], afgoerelse=_decided(world, sag), tekster={}
    )
    html = client.get(case_page).content.decode()
    letter = html.split(f'id="sagsbrev-{brev.pk}"')[1].split("</li>")[0]
    assert f"til {brev.modtager_navn}" in letter
    assert "Afventer afsendelse" in letter

    brev_dispatch(brev_id=brev.pk)
    with django_assert_max_num_queries(15):
        html = client.get(case_page).content.decode()
    letter = html.split(f'id="sagsbrev-{brev.pk}"')[1].split("</li>")[0]
    assert "Afventer afsendelse" not in letter
    assert "Sendt 03.06.2026 10:00" in letter


@pytest.mark.parametrize("role", ["sagsbehandler_ude", "leder_ude", "udfoerer_ind", "udvalg_ude"])
def test_users_outside_the_scope_get_404(world: World, sag: Sag, role: str) -> None:
    afgoerelse = _decided(world, sag)
    brev = afgoerelse_send(
        actor=world.users["sagsbehandler_ind"], afgoerelse=afgoerelse, tekster={}
    )
    client = _client(world, role)
    assert client.get(_url("afgoerelse", sag)).status_code == 404
    assert client.get(_url("afgoerelse_brev", sag, afgoerelse.pk, brev.pk)).status_code == 404
    assert client.post(_url("afgoerelse_create", sag), _decision_data(sag)).status_code == 404
    assert client.post(_url("afgoerelse_preview", sag, afgoerelse.pk), {}).status_code == 404


def test_the_leader_reads_without_forms_and_posts_are_404(world: World, sag: Sag) -> None:
    afgoerelse = _decided(world, sag)
    brev = afgoerelse_send(
        actor=world.users["sagsbehandler_ind"], afgoerelse=afgoerelse, tekster={}
    )
    client = _client(world, "leder_ind")
    html = _page(client, sag)
    assert "Du har læseadgang" in html
    assert "fortsat midlertidigt botilbud" in html
    assert "<textarea" not in html
    assert "<form" not in html.split('id="laeseadgang"')[1]
    assert client.get(_url("afgoerelse_brev", sag, afgoerelse.pk, brev.pk)).status_code == 200
    posts = [
        (_url("afgoerelse_create", sag), _decision_data(sag)),
        (_url("afgoerelse_preview", sag, afgoerelse.pk), {}),
        (_url("afgoerelse_send", sag, afgoerelse.pk), {"retter": brev.pk}),
        (
            _url("klage_register", sag, afgoerelse.pk),
            {"modtaget": "2026-06-02T10:00", "kanal": "skriftlig", "tekst": "x"},
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert Afgoerelse.objects.count() == 1
    assert Brev.objects.count() == 1
    assert not Klage.objects.exists()


def test_unknown_letters_and_decisions_are_404(world: World, sag: Sag) -> None:
    afgoerelse = _decided(world, sag)
    client = _client(world)
    assert client.get(_url("afgoerelse_brev", sag, afgoerelse.pk, 999999)).status_code == 404
    assert client.post(_url("afgoerelse_send", sag, 999999), {}).status_code == 404


def test_a_complaint_through_fastholdt_to_ankestyrelsen_and_stadfaestet(
    world: World, sag: Sag
) -> None:
    user = world.users["sagsbehandler_ind"]
    afgoerelse = _decided(world, sag)
    brev_dispatch(brev_id=afgoerelse_send(actor=user, afgoerelse=afgoerelse, tekster={}).pk)
    client = _client(world)
    assert "Der er ikke modtaget klager" in _page(client, sag)

    received = timezone.localtime() - timedelta(hours=1)
    response = client.post(
        _url("klage_register", sag, afgoerelse.pk),
        {
            "modtaget": received.strftime("%Y-%m-%dT%H:%M"),
            "kanal": "skriftlig",
            "tekst": "Jeg vil blive på Møllebo.",
        },
    )
    assert response.status_code == 302
    klage = Klage.objects.get()
    assert not klage.for_sent
    html = _page(client, sag)
    assert "Jeg vil blive på Møllebo." in html
    assert "registrér den nye afgørelse" in html
    assert f"?erstatter={afgoerelse.pk}" in html

    # Medhold without a new decision is refused in Danish on the form.
    response = client.post(
        _url("klage_genvurder", sag, afgoerelse.pk, klage.pk), {"genvurdering": "medhold"}
    )
    assert "Medhold giver en ny afgørelse" in response.content.decode()

    response = client.post(
        _url("klage_genvurder", sag, afgoerelse.pk, klage.pk),
        {"genvurdering": "fastholdt", "dato": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    assert "Send til Ankestyrelsen" in _page(client, sag)
    response = client.post(
        _url("klage_ankestyrelsen", sag, afgoerelse.pk, klage.pk),
        {"dato": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    response = client.post(
        _url("klage_ankestyrelsens_afgoerelse", sag, afgoerelse.pk, klage.pk),
        {"resultat": "stadfaestet", "dato": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    klage.refresh_from_db()
    assert klage.genvurdering == "fastholdt"
    assert klage.sendt_til_ankestyrelsen == timezone.localdate()
    assert klage.ankestyrelsens_afgoerelse == "stadfaestet"
    html = _page(client, sag)
    assert "Afgørelsen fastholdes" in html
    assert "Stadfæstet" in html


def test_a_late_complaint_is_flagged_on_the_page(world: World, sag: Sag) -> None:
    user = world.users["sagsbehandler_ind"]
    afgoerelse = _decided(world, sag)
    Afgoerelse.objects.filter(pk=afgoerelse.pk).update(
        meddelt=timezone.localdate() - timedelta(days=90)
    )
    client = _client(world)
    response = client.post(
        _url("klage_register", sag, afgoerelse.pk),
        {
            "modtaget": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "kanal": "digital",
            "tekst": "Jeg er uenig.",
        },
    )
    assert response.status_code == 302
    assert Klage.objects.get().for_sent
    assert "Modtaget efter klagefristen" in _page(client, sag)
    assert user  # the caseworker registered it


def test_medhold_links_to_a_replacing_decision(world: World, sag: Sag) -> None:
    user = world.users["sagsbehandler_ind"]
    afgoerelse = _decided(world, sag)
    klage = klage_register(
        actor=user,
        afgoerelse=afgoerelse,
        modtaget=timezone.now(),
        kanal="mundtlig",
        tekst="Jeg vil blive på Møllebo.",
    )
    client = _client(world)
    html = client.get(_url("afgoerelse", sag) + f"?erstatter={afgoerelse.pk}").content.decode()
    assert "Ny afgørelse efter klage" in html
    assert f'name="erstatter" value="{afgoerelse.pk}"' in html
    data = {
        "truffet_af": "sagsbehandler",
        "form": "skriftlig",
        "truffet": timezone.localdate().isoformat(),
        "fuldt_medhold": "on",
        "erstatter": afgoerelse.pk,
        "resultat-TOTAL_FORMS": "1",
        "resultat-INITIAL_FORMS": "1",
        "resultat-MIN_NUM_FORMS": "0",
        "resultat-MAX_NUM_FORMS": "1000",
        "resultat-0-beskrivelse": "fortsat midlertidigt botilbud",
        "resultat-0-kommunal_ydelse": ydelse("V-107").pk,
        "resultat-0-resultat": "bevilget",
        "resultat-0-virkningsdato": timezone.localdate().isoformat(),
    }
    assert client.post(_url("afgoerelse_create", sag), data).status_code == 302
    new = Afgoerelse.objects.get(erstatter=afgoerelse)
    response = client.post(
        _url("klage_genvurder", sag, afgoerelse.pk, klage.pk),
        {"genvurdering": "medhold", "ny_afgoerelse": new.pk},
    )
    assert response.status_code == 302
    klage.refresh_from_db()
    assert klage.ny_afgoerelse == new
