"""No typed text is lost (issue 20), in Chromium: saving one section of a page with several forms
keeps what is typed in the others; leaving with unsaved text asks first; a failed save can be
reloaded; an in-place save after the session ended keeps the input, asks for a login in a new tab
and then saves; a full-page save after the session ended gets its text back after the login.
vum/static/vum/forms.js does the browser's part, vum.accounts.middleware and
vum.form_addresses the server's."""

import re
from dataclasses import dataclass

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import Dialog, Page, expect
from pytest_django.live_server_helper import LiveServer

from cases.models import Diagnose, Formaal, Sag
from tests.factories import PASSWORD, BorgerFactory, SagFactory, TeamFactory, UserFactory
from vum.accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORMAAL = "Mads vil kunne klare sin hverdag i egen bolig."
SPOERGSMAAL = "Hvilken støtte skal der til, for at Mads kan bo alene?"


@dataclass
class Desk:
    url: str
    user: User
    sag: Sag

    @property
    def sagsaabning(self) -> str:
        return f"{self.url}/sager/{self.sag.pk}/sagsaabning/"


def _log_in(page: Page, url: str, user: User) -> None:
    page.get_by_label("Brugernavn").fill(user.username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()


@pytest.fixture
def desk(live_server: LiveServer, page: Page) -> Desk:
    team = TeamFactory()
    user = UserFactory(teams=[team])
    sag = SagFactory(borger=BorgerFactory(), team=team, sagsbehandler=user)
    page.goto(f"{live_server.url}/login/")
    _log_in(page, live_server.url, user)
    expect(page.get_by_role("heading", name="Mine sager")).to_be_visible()
    return Desk(url=live_server.url, user=user, sag=sag)


def _formaal(page: Page):  # type: ignore[no-untyped-def]
    """The sagsåbning's one form, which holds the purpose of the udredning."""
    return page.locator("form", has=page.get_by_role("button", name="Gem sagsåbning"))


def test_saving_one_section_keeps_the_text_typed_in_another(page: Page, desk: Desk) -> None:
    page.goto(desk.sagsaabning)
    formaal = _formaal(page)
    formaal.get_by_label("Formålet med udredningen").fill(FORMAAL)
    page.get_by_role("button", name="Gem ansøgning").click()  # another form on the page

    expect(page.get_by_text("Ansøgningen er gemt")).to_be_visible()
    formaal = _formaal(page)
    expect(formaal.get_by_label("Formålet med udredningen")).to_have_value(FORMAAL)
    expect(formaal.get_by_text("Tekst, du ikke havde gemt, er sat ind igen.")).to_be_visible()
    assert not Formaal.objects.filter(sag=desk.sag).exists()  # kept, not saved

    # The user may throw it away; then it stays away.
    formaal.get_by_role("button", name="Fjern den ikke-gemte tekst").click()
    expect(formaal.get_by_label("Formålet med udredningen")).to_have_value("")
    page.reload()
    expect(_formaal(page).get_by_label("Formålet med udredningen")).to_have_value("")


def test_the_saved_form_is_not_filled_in_again(page: Page, desk: Desk) -> None:
    page.goto(desk.sagsaabning)
    _formaal(page).get_by_label("Formålet med udredningen").fill(FORMAAL)
    _formaal(page).get_by_role("button", name="Gem sagsåbning").click()
    expect(page.get_by_text("Sagsåbningen er gemt.")).to_be_visible()
    assert Formaal.objects.get(sag=desk.sag).formaal == FORMAAL
    expect(page.locator("[data-draft-notice]")).to_have_count(0)


def test_leaving_a_page_with_unsaved_text_asks_first(page: Page, desk: Desk) -> None:
    page.goto(desk.sagsaabning)
    _formaal(page).get_by_label("Formålet med udredningen").fill(FORMAAL)
    asked: list[str] = []

    def stay(dialog: Dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Mine sager").click()
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    expect(page).to_have_url(desk.sagsaabning)
    expect(_formaal(page).get_by_label("Formålet med udredningen")).to_have_value(FORMAAL)


def test_a_page_without_unsaved_text_is_left_without_a_question(page: Page, desk: Desk) -> None:
    page.goto(desk.sagsaabning)
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Mine sager").click()
    expect(page.get_by_role("heading", name="Mine sager")).to_be_visible()
    assert asked == []


def test_a_failed_save_can_be_reloaded_with_its_text(page: Page, desk: Desk) -> None:
    page.goto(desk.sagsaabning)
    formaal = _formaal(page)
    formaal.get_by_label("Analysespørgsmål").fill(SPOERGSMAAL)
    # Værgemål without its form: refused.
    formaal.locator("#id_vaergemaal_0").check()  # Værgemål: Ja
    formaal.get_by_role("button", name="Gem sagsåbning").click()

    # The page with the error is shown at the page's own address, focus on the error summary,
    # whose item leads to the field.
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(page).to_have_url(desk.sagsaabning)
    summary.get_by_role("link", name=re.compile("Værgemålets form")).click()
    expect(_formaal(page).get_by_label("Værgemålets form")).to_be_focused()

    page.reload()
    expect(page.get_by_role("heading", name="Sagsåbning", level=1)).to_be_visible()
    expect(_formaal(page).get_by_label("Analysespørgsmål")).to_have_value(SPOERGSMAAL)


def test_an_in_place_save_after_the_session_ended_keeps_the_input_and_saves_after_login(
    page: Page, desk: Desk
) -> None:
    page.goto(desk.sagsaabning)
    diagnoser = page.locator("#raekker-diagnose")
    diagnoser.locator("summary").click()
    diagnoser.get_by_label(re.compile(r"^Diagnose")).fill("ADHD")
    diagnoser.get_by_label("ICD-10-kode").fill("F 90.0")
    diagnoser.get_by_label("Stillet af").fill("Dr. Berg")

    Session.objects.all().delete()  # the session ends (idle limit, or logged out elsewhere)
    diagnoser.get_by_role("button", name="Tilføj").click()

    dialog = page.get_by_role("dialog", name="Du er blevet logget ud")
    expect(dialog).to_be_visible()
    expect(diagnoser.get_by_label("ICD-10-kode")).to_have_value("F 90.0")
    assert desk.sag.diagnoser.count() == 0

    with page.context.expect_page() as opened:
        dialog.get_by_role("link", name="Log ind i et nyt faneblad").click()
    login = opened.value
    _log_in(login, desk.url, desk.user)
    expect(login.get_by_role("heading", name="Du er logget ind igen")).to_be_visible()
    login.close()

    dialog.get_by_role("button", name="Send igen").click()
    expect(page.locator("#raekker-diagnose td", has_text="F 90.0")).to_be_visible()
    assert desk.sag.diagnoser.get().icd10 == "F 90.0"
    expect(page).to_have_url(desk.sagsaabning)


def test_a_full_page_save_after_the_session_ended_gets_its_text_back_after_login(
    page: Page, desk: Desk
) -> None:
    page.goto(desk.sagsaabning)
    _formaal(page).get_by_label("Formålet med udredningen").fill(FORMAAL)
    Session.objects.all().delete()
    _formaal(page).get_by_role("button", name="Gem sagsåbning").click()

    expect(page.get_by_role("heading", name="Log ind")).to_be_visible()
    _log_in(page, desk.url, desk.user)
    expect(page).to_have_url(desk.sagsaabning)
    expect(_formaal(page).get_by_label("Formålet med udredningen")).to_have_value(FORMAAL)
    expect(page.locator("[data-draft-notice]")).to_be_visible()


def test_logging_out_forgets_every_draft(page: Page, desk: Desk) -> None:
    page.goto(desk.sagsaabning)
    _formaal(page).get_by_label("Formålet med udredningen").fill(FORMAAL)
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Log ud").click()
    expect(page.get_by_role("heading", name="Log ind")).to_be_visible()
    assert page.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('vum:'))") == []


def test_deleting_a_row_is_confirmed_first(page: Page, desk: Desk) -> None:
    Diagnose.objects.create(sag=desk.sag, diagnose="ADHD", icd10="F 90.0", stillet_af="Dr. Berg")
    page.goto(desk.sagsaabning)
    rows = page.locator("#raekker-diagnose")
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    rows.get_by_role("button", name=re.compile("^Slet")).click()
    page.wait_for_timeout(300)
    assert asked == ["Rækken slettes. Vil du slette den?"]
    assert desk.sag.diagnoser.count() == 1  # declined: nothing deleted

    page.once("dialog", lambda dialog: dialog.accept())
    rows.get_by_role("button", name=re.compile("^Slet")).click()
    expect(page.locator("#raekker-diagnose td", has_text="F 90.0")).to_have_count(0)
    assert desk.sag.diagnoser.count() == 0
