"""Behaviour of the caseworker's pages: auditing, escaping, query counts, lock-out, conflicts and
Danish error messages.

Dates posted are today's (the suite's instant, tests/clock.py): what is checked (escaping,
queries, conflicts, errors) does not depend on the day.
"""

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Borger, Henvendelse, Journalnotat, Sag
from cases.services.sag import sag_transition
from cases.services.sagsaabning import formaal_set
from tests.factories import PASSWORD, BorgerFactory, SagFactory, UserFactory
from tests.web.conftest import World
from vum.accounts.models import User
from vum.audit.models import AuditAction, AuditEvent
from vum.notifications.services import Besked, notifikationer_create

XSS = "<script>alert(1)</script>"


def test_viewing_a_citizen_page_is_audited(world: World) -> None:
    user = world.users["sagsbehandler_ind"]
    client = Client(REMOTE_ADDR="10.1.2.3")
    client.force_login(user)
    response = client.get(reverse("borger_detail", args=[world.borger.pk]))
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action=AuditAction.VIEW).latest("id")
    assert event.borger_id == world.borger.pk
    assert event.actor == user
    assert event.ip_address == "10.1.2.3"
    assert event.object_type == "cases.Borger"


def test_html_in_text_fields_is_escaped(world: World, login) -> None:  # type: ignore[no-untyped-def]
    client = login(world.users["sagsbehandler_ind"])
    Borger.objects.filter(pk=world.borger.pk).update(fornavn=XSS)
    response = client.post(
        reverse("journal_add", args=[world.sag.pk]),
        {"dato": timezone.localdate().isoformat(), "emne": XSS, "tekst": XSS},
    )
    assert response.status_code == 302
    for url in (
        reverse("sag_detail", args=[world.sag.pk]),
        reverse("borger_detail", args=[world.borger.pk]),
        reverse("inbox"),
    ):
        html = client.get(url).content.decode()
        assert XSS not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _inbox_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("inbox"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_inbox_query_count_does_not_grow_with_cases(caseworker: User, login) -> None:  # type: ignore[no-untyped-def]
    team = caseworker.teams.get()
    client = login(caseworker)
    SagFactory.create_batch(2, team=team, sagsbehandler=caseworker)
    with_two = _inbox_queries(client)
    assert client.get(reverse("inbox")).content.decode().count('class="phase-badge"') == 2
    SagFactory.create_batch(18, team=team, sagsbehandler=caseworker)
    with_twenty = _inbox_queries(client)
    assert client.get(reverse("inbox")).content.decode().count('class="phase-badge"') == 20
    assert with_two == with_twenty


def test_five_wrong_passwords_lock_the_user_out(caseworker: User) -> None:
    client = Client()
    url = reverse("login")
    for _ in range(4):
        response = client.post(url, {"username": caseworker.username, "password": "forkert"})
        assert response.status_code == 200
        assert "korrekt brugernavn" in response.content.decode()
    response = client.post(url, {"username": caseworker.username, "password": "forkert"})
    assert response.status_code == 429
    assert "Prøv igen om 15 minutter" in response.content.decode()
    # Locked out even with the right password now.
    response = client.post(url, {"username": caseworker.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_login_and_logout(caseworker: User) -> None:
    client = Client()
    response = client.post(
        reverse("login"), {"username": caseworker.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("inbox")).status_code == 200
    # Logout only by POST: the address opened as a page leads on, still logged in.
    assert client.get(reverse("logout"))["Location"] == "/"
    assert client.get(reverse("inbox")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("inbox")).status_code == 302


def test_stale_transition_shows_conflict_and_keeps_the_other_users_move(
    world: World,
    login,  # type: ignore[no-untyped-def]
) -> None:
    user = world.users["sagsbehandler_ind"]
    # Another user closes the case while this user's screen still shows sagsåbning.
    sag_transition(actor=user, sag=world.sag, name="afslut", begrundelse="Borgeren er flyttet.")
    client = login(user)
    response = client.post(
        reverse("sag_transition", args=[world.sag.pk]),
        {"name": "afslut", "expected_fase": "sagsaabning", "begrundelse": "Dobbelt"},
        follow=True,
    )
    html = response.content.decode()
    assert "i mellemtiden flyttet til afsluttet af en anden bruger" in html
    sag = Sag.objects.get(pk=world.sag.pk)
    assert sag.fase == "afsluttet"
    assert sag.overgange.count() == 1
    assert sag.overgange.get().begrundelse == "Borgeren er flyttet."


def test_transition_needing_a_reason_asks_for_it(world: World, login) -> None:  # type: ignore[no-untyped-def]
    client = login(world.users["sagsbehandler_ind"])
    response = client.post(
        reverse("sag_transition", args=[world.sag.pk]),
        {"name": "afslut", "expected_fase": "sagsaabning", "begrundelse": " "},
    )
    assert response.status_code == 200
    assert "kræver en begrundelse" in response.content.decode()
    assert Sag.objects.get(pk=world.sag.pk).fase == "sagsaabning"


def test_blocked_transition_shows_its_reasons(world: World, login) -> None:  # type: ignore[no-untyped-def]
    client = login(world.users["sagsbehandler_ind"])
    html = client.get(reverse("sag_detail", args=[world.sag.pk])).content.decode()
    # Each reason leads to where it is put right, on the phase's own page.
    assert (
        f'<a href="{reverse("sagsaabning", args=[world.sag.pk])}#'
        in html.split("Ikke muligt endnu:", 1)[1]
    )
    assert "Formålet med udredningen er ikke fastlagt.</a>" in html
    response = client.post(
        reverse("sag_transition", args=[world.sag.pk]),
        {"name": "start_sagsoplysning", "expected_fase": "sagsaabning"},
        follow=True,
    )
    assert "ikke mulig endnu" in response.content.decode()
    assert Sag.objects.get(pk=world.sag.pk).fase == "sagsaabning"


def test_ready_case_moves_on_and_shows_the_history(caseworker: User, login) -> None:  # type: ignore[no-untyped-def]
    sag = SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker, aabning_ready=True)
    client = login(caseworker)
    response = client.post(
        reverse("sag_transition", args=[sag.pk]),
        {"name": "start_sagsoplysning", "expected_fase": "sagsaabning"},
        follow=True,
    )
    html = response.content.decode()
    assert "Sagen er flyttet til sagsoplysning." in html
    # On to where the phase's work is done, with the udredning begun.
    assert response.redirect_chain[-1][0] == reverse("udredning", args=[sag.pk])
    assert Sag.objects.get(pk=sag.pk).fase == "sagsoplysning"
    assert sag.udredninger.count() == 1
    history = client.get(reverse("sag_detail", args=[sag.pk])).content.decode()
    assert 'aria-current="step"' in history


def test_bad_cpr_on_opret_borger_shows_danish_error(caseworker: User, login) -> None:  # type: ignore[no-untyped-def]
    client = login(caseworker)
    data = {"cpr": "3213901234", "fornavn": "Mads", "efternavn": "Hansen", "by": "Randers"}
    response = client.post(reverse("borger_create"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "CPR-nummeret indeholder ikke en gyldig fødselsdato." in html
    assert 'aria-invalid="true"' in html
    assert 'value="Mads"' in html  # the user's input is kept
    response = client.post(reverse("borger_create"), {**data, "cpr": "12ab"})
    assert "Et CPR-nummer består af 10 cifre" in response.content.decode()
    assert not Borger.objects.filter(fornavn="Mads").exists()


def test_duplicate_cpr_is_refused_in_danish(caseworker: User, login) -> None:  # type: ignore[no-untyped-def]
    borger = BorgerFactory()
    client = login(caseworker)
    response = client.post(
        reverse("borger_create"), {"cpr": borger.cpr, "fornavn": "A", "efternavn": "B"}
    )
    assert "Der findes allerede en borger med dette CPR-nummer." in response.content.decode()


def test_create_search_and_view_citizen(caseworker: User, login) -> None:  # type: ignore[no-untyped-def]
    client = login(caseworker)
    response = client.post(
        reverse("borger_create"),
        {"cpr": "010190-1234", "fornavn": "Mads", "efternavn": "Hansen"},
    )
    borger = Borger.objects.get(cpr="0101901234")
    assert response["Location"] == reverse("borger_detail", args=[borger.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "010190-1234" in detail  # formatted CPR on the detail page only
    purpose = {"formaal": "ny-henvendelse"}
    no_purpose = client.post(reverse("borger_search"), {"q": "mads hans"}).content.decode()
    assert "Angiv formålet med søgningen." in no_purpose
    by_name = client.post(reverse("borger_search"), {"q": "mads hans", **purpose}).content.decode()
    assert "Mads Hansen" in by_name
    assert "010190-****" in by_name
    assert "010190-1234" not in by_name
    by_cpr = client.post(reverse("borger_search"), {"q": "0101901234", **purpose}).content.decode()
    assert "Mads Hansen" in by_cpr
    search = AuditEvent.objects.filter(action=AuditAction.SEARCH).latest("id")
    assert search.borger_id == borger.pk


def _found_by_search(client: Client, borger: Borger) -> None:
    """A citizen outside the caseworker's cases is reached by a search with a stated purpose."""
    client.post(reverse("borger_search"), {"q": borger.cpr, "formaal": "ny-henvendelse"})


def test_a_citizen_outside_ones_cases_is_identified_not_shown(caseworker: User, login) -> None:  # type: ignore[no-untyped-def]
    borger = BorgerFactory(fornavn="Karin", efternavn="Lund", adresse="Skjult Allé 3")
    client = login(caseworker)
    assert client.get(reverse("henvendelse_create", args=[borger.pk])).status_code == 404
    found = client.post(
        reverse("borger_search"), {"q": borger.cpr, "formaal": "ny-henvendelse"}
    ).content.decode()
    assert "Karin Lund" in found
    assert "Skjult Allé" not in found
    assert f'href="{reverse("borger_detail", args=[borger.pk])}"' not in found
    assert reverse("henvendelse_create", args=[borger.pk]) in found
    assert client.get(reverse("borger_detail", args=[borger.pk])).status_code == 404
    form = client.get(reverse("henvendelse_create", args=[borger.pk]))
    assert form.status_code == 200
    assert "Skjult Allé" not in form.content.decode()


def test_henvendelse_opening_a_case_lands_on_the_case_page(caseworker: User, login) -> None:  # type: ignore[no-untyped-def]
    borger = BorgerFactory()
    client = login(caseworker)
    _found_by_search(client, borger)
    form = client.get(reverse("henvendelse_create", args=[borger.pk])).content.decode()
    assert 'name="triage"' in form
    response = client.post(
        reverse("henvendelse_create", args=[borger.pk]),
        {
            "modtaget": timezone.localdate().isoformat(),
            "kilde": "paaroerende",
            "kilde_navn": "Mor",
            "aarsag": "Har brug for støtte i hjemmet.",
            "team": caseworker.teams.get().pk,
            "triage": "sag",
        },
    )
    sag = Sag.objects.get(borger=borger)
    assert response["Location"] == reverse("sag_detail", args=[sag.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Sagsåbning" in page
    assert "Henvendelsen kom ikke fra borgeren selv" in page


def test_henvendelse_advice_needs_a_note_and_opens_no_case(caseworker: User, login) -> None:  # type: ignore[no-untyped-def]
    borger = BorgerFactory()
    client = login(caseworker)
    _found_by_search(client, borger)
    data = {
        "modtaget": timezone.localdate().isoformat(),
        "kilde": "borger",
        "aarsag": "Spørger om muligheder.",
        "team": caseworker.teams.get().pk,
        "triage": "raadgivning",
    }
    response = client.post(reverse("henvendelse_create", args=[borger.pk]), data)
    assert response.status_code == 200
    assert "Notér den rådgivning, borgeren har fået." in response.content.decode()
    assert "Spørger om muligheder." in response.content.decode()
    response = client.post(
        reverse("henvendelse_create", args=[borger.pk]),
        {**data, "triage_notat": "Vejledt om bostøtte."},
    )
    assert response["Location"].startswith(reverse("borger_detail", args=[borger.pk]))
    assert Henvendelse.objects.get(borger=borger).sag is None
    assert not Sag.objects.filter(borger=borger).exists()


def test_henvendelse_in_another_team_is_refused(caseworker: User, login) -> None:  # type: ignore[no-untyped-def]
    borger = BorgerFactory()
    other = UserFactory()
    client = login(caseworker)
    _found_by_search(client, borger)
    response = client.post(
        reverse("henvendelse_create", args=[borger.pk]),
        {
            "modtaget": timezone.localdate().isoformat(),
            "kilde": "borger",
            "aarsag": "x",
            "team": other.teams.get().pk,
            "triage": "sag",
        },
    )
    assert response.status_code == 200
    assert not Henvendelse.objects.exists()


def test_relation_add(world: World, login) -> None:  # type: ignore[no-untyped-def]
    client = login(world.users["sagsbehandler_ind"])
    url = reverse("relation_add", args=[world.borger.pk])
    response = client.post(url, {"type": "vaerge", "navn": "Hanne Værge"})
    assert response.status_code == 200
    assert "Angiv værgemålets form." in response.content.decode()
    response = client.post(
        url,
        {
            "type": "vaerge",
            "navn": "Hanne Værge",
            "vaergemaalsform": "par5",
            "varetager_partsrettigheder": "on",
        },
    )
    assert response.status_code == 302
    html = client.get(reverse("borger_detail", args=[world.borger.pk])).content.decode()
    assert "Hanne Værge" in html
    assert "Varetager partsrettigheder" in html


def test_journal_correction_links_both_ways(world: World, login) -> None:  # type: ignore[no-untyped-def]
    user = world.users["sagsbehandler_ind"]
    client = login(user)
    today = timezone.localdate().isoformat()
    client.post(
        reverse("journal_add", args=[world.sag.pk]),
        {"dato": today, "emne": "Hjemmebesøg", "tekst": "Forkert tekst."},
    )
    original = Journalnotat.objects.get()
    url = reverse("journal_correct", args=[world.sag.pk, original.pk])
    assert "Forkert tekst." in client.get(url).content.decode()
    response = client.post(url, {"dato": today, "emne": "Rettelse", "tekst": "Rigtig tekst."})
    assert response.status_code == 302
    rettelse = Journalnotat.objects.get(retter=original)
    html = client.get(reverse("sag_detail", args=[world.sag.pk])).content.decode()
    assert f'href="#notat-{rettelse.pk}"' in html
    assert f'href="#notat-{original.pk}"' in html
    assert "Rettet ved" in html
    assert Journalnotat.objects.get(pk=original.pk).tekst == "Forkert tekst."
    # A second correction of the same note is refused with the service's message.
    response = client.post(url, {"dato": today, "emne": "Igen", "tekst": "Igen."})
    assert "Notatet er allerede rettet" in response.content.decode()


def test_journal_note_in_the_future_is_refused(world: World, login) -> None:  # type: ignore[no-untyped-def]
    client = login(world.users["sagsbehandler_ind"])
    response = client.post(
        reverse("journal_add", args=[world.sag.pk]),
        {"dato": "2999-01-01", "emne": "Fremtid", "tekst": "Min tekst bevares."},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Et notat kan ikke dateres i fremtiden." in html
    assert "Min tekst bevares." in html


def test_a_closed_case_page_offers_no_forms(world: World, login) -> None:  # type: ignore[no-untyped-def]
    caseworker = world.users["sagsbehandler_ind"]
    client = login(caseworker)
    url = reverse("sag_detail", args=[world.sag.pk])
    journal = 'action="' + reverse("journal_add", args=[world.sag.pk]) + '"'
    assert journal in client.get(url).content.decode()
    Sag.objects.filter(pk=world.sag.pk).update(fase="afsluttet")
    html = client.get(url).content.decode()
    assert journal not in html
    assert reverse("sagsaabning", args=[world.sag.pk]) not in html


def _main_table(sql: str) -> str:
    """The table a SELECT reads rows of: that of its first column, or of its first FROM."""
    found = re.match(r'SELECT "(\w+)"\.', sql) or re.search(r'FROM "(\w+)"', sql)
    assert found is not None, sql
    return found.group(1)


def test_case_page_reads_each_thing_once(world: World, login) -> None:  # type: ignore[no-untyped-def]
    """The case page's statements, one per kind of thing it shows: the bell's count comes with
    the user, the current purpose with the case, and whether to offer the forms is decided from
    the case as loaded."""
    caseworker = world.users["sagsbehandler_ind"]
    formaal_set(actor=caseworker, sag=world.sag, formaal="Første udgave")
    formaal_set(actor=caseworker, sag=world.sag, formaal="Afklare boligbehov")
    Sag.objects.filter(pk=world.sag.pk).update(fase="levering")  # the benchmark's case
    notifikationer_create(
        beskeder=[Besked(modtager=caseworker, titel="Frist", tekst="", link="", kilde="t:1")]
    )
    client = login(caseworker)
    url = reverse("sag_detail", args=[world.sag.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(url).content.decode()

    assert "Afklare boligbehov" in html
    assert "Første udgave" not in html
    assert 'aria-label="Notifikationer, 1 ulæste"' in html
    assert 'action="' + reverse("journal_add", args=[world.sag.pk]) + '"' in html
    reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    assert [_main_table(sql) for sql in reads] == [
        "django_session",
        "accounts_user",
        "cases_sag",
        "cases_overgang",
        "followup_opfoelgning",  # the guard of the move to opfølgning
        "assessment_brev",  # the letters panel (none yet: their dispatches are not read)
        "deadlines_frist",
        "cases_henvendelse",
        "cases_journalnotat",
    ]
    assert "notifications_notifikation" in reads[1]
    assert "cases_formaal" in reads[2]
