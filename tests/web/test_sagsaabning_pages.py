"""The sagsåbning form, its repeating rows, the formål versions and consent.

Dates are relative to the suite's instant (tests/clock.py), except the row that records a dated
call, which is pinned; none of the other rules depends on which day today is.
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.lifecycle import Fase
from cases.models import Diagnose, Formaal, Samtykke, TidligereHenvendelse
from tests.factories import OrganisationFactory
from tests.web.conftest import World
from vum.audit.models import AuditAction, AuditEvent
from vum.deadlines.models import Frist


def _client(world: World) -> Client:
    client = Client()
    client.force_login(world.users["sagsbehandler_ind"])
    return client


def test_form_shows_all_groups(world: World) -> None:
    html = _client(world).get(reverse("sagsaabning", args=[world.sag.pk])).content.decode()
    for legend in (
        "Orientering af borgeren",
        "Borgerens ønsker for fremtiden",
        "Klar sag",
        "Værgemål",
        "Bisidder og partsrepræsentation",
        "Elektronisk registrering",
        "Samtykke",
        "Helhedssyn",
        "Borgersamarbejde",
        "Handle- og betalingskommune",
        "Henvendelser forud for sagsåbningen",
        "Lægefaglige diagnoser",
        "Eksisterende oplysninger",
        "Aftaler om det videre forløb",
        "Formålet med udredningen",
    ):
        assert legend in html, legend


def test_opening_the_form_is_audited(world: World) -> None:
    user = world.users["sagsbehandler_ind"]
    _client(world).get(reverse("sagsaabning", args=[world.sag.pk]))
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="cases.Sag")
    assert (event.actor, event.borger_id, event.object_id) == (
        user,
        world.sag.borger_id,
        str(world.sag.pk),
    )


def test_invalid_sagsaabning_keeps_input_and_shows_danish_error(world: World) -> None:
    client = _client(world)
    response = client.post(
        reverse("sagsaabning", args=[world.sag.pk]),
        {"version": "1", "vaergemaal": "True", "oensker_for_fremtiden": "At bo i egen lejlighed"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Angiv værgemålets form, når borgeren har værgemål." in html
    assert "At bo i egen lejlighed" in html
    world.sag.sagsaabning.refresh_from_db()
    assert world.sag.sagsaabning.oensker_for_fremtiden == ""


def test_sagsaabning_saves(world: World) -> None:
    client = _client(world)
    response = client.post(
        reverse("sagsaabning", args=[world.sag.pk]),
        {
            "version": "1",
            "vaergemaal": "True",
            "vaergemaalsform": "par6",
            "borger_indforstaaet": "False",
            "oensker_for_fremtiden": "At bo selv",
        },
    )
    assert response.status_code == 302
    world.sag.sagsaabning.refresh_from_db()
    aabning = world.sag.sagsaabning
    assert aabning.vaergemaal is True
    assert aabning.vaergemaalsform == "par6"
    assert aabning.borger_indforstaaet is False
    assert aabning.informeret_om_elektronisk_registrering is None
    html = client.get(reverse("sagsaabning", args=[world.sag.pk])).content.decode()
    nej = re.search(r'<input[^>]*id="id_borger_indforstaaet_1"[^>]*>', html)
    assert nej is not None
    assert 'value="False"' in nej.group(0)
    assert "checked" in nej.group(0)


def test_row_add_and_delete_without_javascript(world: World) -> None:
    client = _client(world)
    url = reverse("row_add", args=[world.sag.pk, "diagnose"])
    response = client.post(url, {"diagnose": "ADHD", "icd10": "95.2", "stillet_af": "Dr. Berg"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Angiv en ICD-10-kode" in html
    assert 'value="Dr. Berg"' in html
    response = client.post(url, {"diagnose": "ADHD", "icd10": "F 90.0", "stillet_af": "Dr. Berg"})
    assert response.status_code == 302
    assert response["Location"].endswith("#raekker-diagnose")
    row = Diagnose.objects.get(sag=world.sag)
    response = client.post(reverse("row_delete", args=[world.sag.pk, "diagnose", row.pk]))
    assert response.status_code == 302
    assert not Diagnose.objects.filter(sag=world.sag).exists()


@pytest.mark.now("2026-01-07 10:00")  # a call from the GP two days ago
def test_row_add_with_htmx_returns_the_section(world: World) -> None:
    client = _client(world)
    response = client.post(
        reverse("row_add", args=[world.sag.pk, "tidligere-henvendelse"]),
        {"hvem": "Egen læge", "dato": "2026-01-05", "indhold": "Ringede om borgeren."},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<section class="card rows" id="raekker-tidligere-henvendelse"')
    assert "Egen læge" in html
    assert "<html" not in html
    row = TidligereHenvendelse.objects.get(sag=world.sag)
    response = client.post(
        reverse("row_delete", args=[world.sag.pk, "tidligere-henvendelse", row.pk]),
        HTTP_HX_REQUEST="true",
    )
    assert "Intet registreret." in response.content.decode()


def test_aftale_row_makes_a_deadline(world: World) -> None:
    client = _client(world)
    when = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("row_add", args=[world.sag.pk, "aftale"]),
        {"tidspunkt": when, "sted": "Rådhuset", "deltagere": "Borger, SB", "emne": "Møde"},
    )
    assert response.status_code == 302
    assert Frist.objects.filter(sag=world.sag, status=Frist.Status.AABEN).count() == 1
    inbox = client.get(reverse("inbox")).content.decode()
    assert "Aftalt møde i sagsåbningen" in inbox
    assert "Rådhuset" not in inbox  # the place is case content, shown on the case page only


def test_row_of_another_case_or_unknown_kind_is_404(world: World) -> None:
    client = _client(world)
    assert client.post(reverse("row_add", args=[world.sag.pk, "ukendt"]), {}).status_code == 404
    response = client.post(reverse("row_delete", args=[world.sag.pk, "diagnose", 424242]))
    assert response.status_code == 404


def test_formaal_versions(world: World) -> None:
    """The purpose is written in the sagsåbning's one form; a changed text is a new version,
    an unchanged or empty one adds none."""
    client = _client(world)
    url = reverse("sagsaabning", args=[world.sag.pk])
    client.post(url, {"version": "1", "formaal": " "})
    assert not Formaal.objects.filter(sag=world.sag).exists()
    client.post(url, {"version": "1", "formaal": "Første formål"})
    client.post(url, {"version": "1", "formaal": "Første formål"})
    assert Formaal.objects.filter(sag=world.sag).count() == 1
    client.post(
        url,
        {"version": "1", "formaal": "Andet formål", "analysespoergsmaal": "Kan borgeren bo selv?"},
    )
    assert Formaal.objects.filter(sag=world.sag).count() == 2
    html = client.get(url).content.decode()
    assert "Første formål" in html
    assert "Kan borgeren bo selv?" in html
    assert "gældende" in html
    # The form holds the current version, so that saving it again changes nothing.
    assert "Andet formål</textarea>" in html


def test_save_and_move_on_from_the_sagsaabning(world: World) -> None:
    client = _client(world)
    url = reverse("sagsaabning", args=[world.sag.pk])
    html = client.get(url).content.decode()
    assert 'name="videre" value="start_sagsoplysning">Gem og start sagsoplysning<' in html

    # Blocked: the input is saved, the page says what is missing.
    response = client.post(
        url,
        {"version": "1", "oensker_for_fremtiden": "At bo selv", "videre": "start_sagsoplysning"},
    )
    assert response.status_code == 302
    assert response["Location"] == url
    world.sag.refresh_from_db()
    assert world.sag.fase == Fase.SAGSAABNING
    assert world.sag.sagsaabning.oensker_for_fremtiden == "At bo selv"
    assert "Sagsåbningen er gemt." in client.get(url).content.decode()

    response = client.post(
        url,
        {
            "version": "2",  # the first save made version 2
            "oensker_for_fremtiden": "At bo selv",
            "informeret_om_elektronisk_registrering": "True",
            "borger_indforstaaet": "True",
            "formaal": "At afklare behovet for støtte.",
            "videre": "start_sagsoplysning",
        },
    )
    world.sag.refresh_from_db()
    assert world.sag.fase == Fase.SAGSOPLYSNING
    assert response["Location"] == reverse("udredning", args=[world.sag.pk])


def test_samtykke_register_and_withdraw(world: World) -> None:
    client = _client(world)
    today = timezone.localdate()
    response = client.post(
        reverse("samtykke_add", args=[world.sag.pk]),
        {
            "retning": "indhentelse",
            "part": "egen_laege",
            "form": "skriftligt",
            "givet": (today + timedelta(days=1)).isoformat(),
        },
    )
    assert "Et samtykke kan ikke være givet i fremtiden." in response.content.decode()
    client.post(
        reverse("samtykke_add", args=[world.sag.pk]),
        {"retning": "indhentelse", "part": "egen_laege", "form": "skriftligt", "givet": today},
    )
    samtykke = Samtykke.objects.get(sag=world.sag)
    url = reverse("samtykke_withdraw", args=[world.sag.pk, samtykke.pk])
    response = client.post(url, {"tilbagekaldt": (today - timedelta(days=1)).isoformat()})
    assert "kan ikke tilbagekaldes før det er givet" in response.content.decode()
    response = client.post(url, {"tilbagekaldt": today.isoformat(), "begrundelse": "Ønsker ikke"})
    assert response.status_code == 302
    samtykke.refresh_from_db()
    assert samtykke.tilbagekaldt == today
    html = client.get(reverse("sagsaabning", args=[world.sag.pk])).content.decode()
    assert "Tilbagekaldt" in html


def test_a_consent_to_share_is_registered_for_the_tilbud_chosen(world: World) -> None:
    tilbud = OrganisationFactory(navn="Bostedet Åen")
    client = _client(world)
    url = reverse("sagsaabning", args=[world.sag.pk])
    assert "Bostedet Åen" in client.get(url).content.decode()  # a choice of the form
    body = {"retning": "videregivelse", "form": "skriftligt", "givet": timezone.localdate()}
    response = client.post(
        reverse("samtykke_add", args=[world.sag.pk]),
        {**body, "part": "hospital", "tilbud": tilbud.pk},
    )
    assert "Vælg kun et tilbud, når samtykket gælder et tilbud." in response.content.decode()
    client.post(
        reverse("samtykke_add", args=[world.sag.pk]),
        {**body, "part": "tilbud", "tilbud": tilbud.pk},
    )
    samtykke = Samtykke.objects.get(sag=world.sag)
    assert samtykke.tilbud == tilbud
    assert "Videregivelse til tilbud (Bostedet Åen)" in client.get(url).content.decode()


def test_the_form_shown_again_after_an_error_is_audited(world: World) -> None:
    client = _client(world)
    response = client.post(reverse("samtykke_add", args=[world.sag.pk]), {})
    assert response.status_code == 200
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.VIEW, object_type="cases.Sag", object_id=str(world.sag.pk)
        ).count()
        == 1
    )


def test_what_blocks_the_move_links_to_the_missing_field(world: World) -> None:
    html = _client(world).get(reverse("sagsaabning", args=[world.sag.pk])).content.decode()
    videre = html[html.index('id="videre"') :]
    for reason, field in [
        (
            "Borgeren er ikke registreret som informeret om elektronisk registrering.",
            "id_informeret_om_elektronisk_registrering_0",
        ),
        ("Formålet med udredningen er ikke fastlagt.", "id_formaal"),
    ]:
        assert f'<a href="#{field}">{reason}</a>' in videre
        assert f'id="{field}"' in html
