"""The provider's (udfører's) follow-up page: X-Hus sees the Mads follow-up with its deadlines,
calls the meeting (a place is required for a meeting in person), writes the statusnotat per
ordered goal beside its own delmål notes of the period, saves it and sends it (meeting its
deadline; a goal left out is an error; afterwards it is read-only). Everything outside the
provider's active order answers 404 (another organisation, a caseworker, an ended order), reads
are audited, the workspace links to the follow-up and the page's queries do not grow with the
notes."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followup.models import Opfoelgning, Statusnotat
from followup.services.opfoelgning import opfoelgning_cancel, opfoelgning_plan
from orders.models import Bestilling
from orders.services.bestilling import bestilling_accept, bestillinger_send
from orders.services.levering import delmaal_create, delmaalsnotat_add
from tests.catalogs import load_catalog
from tests.factories import UserFactory
from tests.mads import Mads, mads_decided, mads_time
from vum.accounts.models import User
from vum.audit.models import AuditAction, AuditEvent
from vum.deadlines.models import Frist
from vum.notifications.models import Notifikation

pytestmark = [pytest.mark.django_db, mads_time]


@pytest.fixture(autouse=True)
def catalog(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "randers"
    load_catalog()


@dataclass
class Case:
    mads: Mads
    order: Bestilling
    staff: User
    opfoelgning: Opfoelgning


def _deliver(caseworker: User, *, second_provider: bool = False) -> tuple[Mads, list[Bestilling]]:
    mads = mads_decided(caseworker, second_provider=second_provider)
    sent = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    return mads, sent


@pytest.fixture
def case(caseworker: User) -> Case:
    """Mads in levering with X-Hus (all four goals) and his first follow-up planned."""
    mads, (order,) = _deliver(caseworker)
    staff = UserFactory(udfoerer=True, organisation=mads.x_hus, first_name="Pia")
    bestilling_accept(actor=staff, bestilling=order)
    opfoelgning = opfoelgning_plan(actor=caseworker, sag=mads.sag)
    return Case(mads=mads, order=order, staff=staff, opfoelgning=opfoelgning)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _url(name: str, opfoelgning: Opfoelgning) -> str:
    return reverse(f"followup:{name}", args=[opfoelgning.pk])


def _goal(order: Bestilling, nr: int) -> int:
    return next(g["id"] for g in order.indhold["maal"] if g["nr"] == nr)


def _meeting_day() -> date:
    return timezone.localdate() + timedelta(days=20)


def _call(**overrides: str) -> dict[str, str]:
    data = {
        "dato": _meeting_day().isoformat(),
        "klokken": "10:00",
        "form": "moede",
        "sted": "Hjemme hos Mads",
        "deltagere": "Mads\nMalene (mor)\nTorben (far)",
    }
    data.update(overrides)
    return data


def _note(order: Bestilling, *, missing: int | None = None, handling: str = "gem") -> dict:  # type: ignore[type-arg]
    data = {
        "handling": handling,
        "vaesentlige_aendringer": "Mads er flyttet i egen lejlighed.",
        "bemaerkninger": "Behov for et nyt mål om økonomi.",
    }
    for g in order.indhold["maal"]:
        if g["nr"] == missing:
            continue
        data[f"maal_{g['id']}_vurdering_af_arbejdet"] = f"Arbejdet med mål {g['nr']} går godt."
        data[f"maal_{g['id']}_maalopfyldelse"] = "Delvist opfyldt"
        data[f"maal_{g['id']}_niveauaendring"] = "Uændret"
    return data


def test_the_provider_sees_the_follow_up_and_calls_the_meeting(
    case: Case, caseworker: User
) -> None:
    client = _client(case.staff)
    page = _text(client.get(_url("udfoerer-opfoelgning", case.opfoelgning)))
    assert "Mads Madsen" in page
    assert "30.12.2026" in page  # the date
    assert case.opfoelgning.grundlag in page
    assert "Udførerens statusnotat til opfølgningen" in page
    assert "16.12.2026" in page  # the statusnotat 14 days before
    assert "Opfølgningsmøde" in page
    # The caseworker's own deadlines are not the provider's business.
    assert "Gennemgå statusnotatet" not in page
    assert "Udfyld opfølgningsskemaet" not in page
    # The participants are suggested from what the order carries.
    assert "Mads Madsen (borger)" in page
    assert _url("udfoerer-indkald", case.opfoelgning) in page

    response = client.post(_url("udfoerer-indkald", case.opfoelgning), _call())
    assert response.status_code == 302
    assert response["Location"] == _url("udfoerer-opfoelgning", case.opfoelgning)
    called = Opfoelgning.objects.get(pk=case.opfoelgning.pk)
    assert called.status == Opfoelgning.Status.INDKALDT
    assert called.moede_form == "moede"
    assert called.moede_sted == "Hjemme hos Mads"
    assert "Malene (mor)" in called.deltagere
    assert timezone.localtime(called.moede_tidspunkt).date() == _meeting_day()
    assert Notifikation.objects.filter(modtager=caseworker, titel__contains="indkaldt").exists()
    page = _text(client.get(_url("udfoerer-opfoelgning", case.opfoelgning)))
    assert "Møde indkaldt" in page
    assert f"{_meeting_day():%d.%m.%Y} kl. 10:00" in page
    assert "Hjemme hos Mads" in page


def test_a_meeting_in_person_needs_a_place(case: Case) -> None:
    client = _client(case.staff)
    url = _url("udfoerer-indkald", case.opfoelgning)
    page = _text(client.post(url, _call(sted="")))
    assert "Angiv hvor mødet holdes." in page
    assert "Malene (mor)" in page  # the input is kept
    assert 'aria-invalid="true"' in page
    page = _text(
        client.post(url, _call(dato=(timezone.localdate() - timedelta(days=1)).isoformat()))
    )
    assert "Mødet kan ikke indkaldes til et tidspunkt, der er gået." in page
    page = _text(client.post(url, _call(form="brev")))
    assert "Vælg mødeformen." in page
    unchanged = Opfoelgning.objects.get(pk=case.opfoelgning.pk)
    assert unchanged.status == Opfoelgning.Status.PLANLAGT
    assert unchanged.moede_tidspunkt is None
    assert unchanged.moede_sted == ""
    # By telephone no place is needed.
    assert client.post(url, _call(sted="", form="telefon")).status_code == 302
    assert Opfoelgning.objects.get(pk=case.opfoelgning.pk).moede_form == "telefon"


def test_the_forms_leave_validation_to_the_server(case: Case) -> None:
    """No browser bubble: an empty required field is answered by the page, with the error
    summary, the field's own error and what was typed kept."""
    client = _client(case.staff)
    page = _text(client.get(_url("udfoerer-opfoelgning", case.opfoelgning)))
    forms = re.findall(r"<form\b[^>]*method=\"post\"[^>]*>", page[page.index("<main") :])
    assert len(forms) == 2  # calling the meeting and the statusnotat
    for tag in forms:
        assert " novalidate" in tag, tag
    page = _text(
        client.post(_url("udfoerer-indkald", case.opfoelgning), _call(dato="", klokken=""))
    )
    assert "Formularen indeholder fejl. Ret de markerede felter:" in page
    assert "data-error-summary" in page
    assert '<ul class="field-errors"' in page
    assert "Angiv mødets dato." in page
    assert "Angiv klokkeslættet." in page
    assert "Hjemme hos Mads" in page
    assert Opfoelgning.objects.get(pk=case.opfoelgning.pk).status == Opfoelgning.Status.PLANLAGT


def test_the_statusnotat_is_saved_then_sent_and_meets_its_deadline(case: Case) -> None:
    client = _client(case.staff)
    url = _url("udfoerer-statusnotat", case.opfoelgning)
    page_url = _url("udfoerer-opfoelgning", case.opfoelgning)
    frist = case.opfoelgning.frister.get(art=Frist.Art.STATUSNOTAT)

    draft = _note(case.order)
    draft[f"maal_{_goal(case.order, 3)}_vurdering_af_arbejdet"] = ""
    assert client.post(url, draft).status_code == 302  # a draft may leave a goal open
    note = Statusnotat.objects.get(opfoelgning=case.opfoelgning)
    assert note.indsendt is None
    assert note.udfoerer == case.mads.x_hus
    assert note.maal.count() == 4
    frist.refresh_from_db()
    assert frist.status == Frist.Status.AABEN
    page = _text(client.get(page_url))
    assert "Arbejdet med mål 2 går godt." in page  # back in the form
    assert "ikke sendt endnu" in page
    assert 'value="indsend"' in page

    response = client.post(url, _note(case.order, handling="indsend"))
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.indsendt is not None
    assert note.maal.get(indsatsmaal_id=_goal(case.order, 3)).vurdering_af_arbejdet
    frist.refresh_from_db()
    assert frist.status == Frist.Status.OVERHOLDT

    page = _text(client.get(page_url))
    assert "Statusnotatet kan ikke ændres." in page
    assert 'value="indsend"' not in page
    assert f'action="{url}"' not in page
    assert "Arbejdet med mål 4 går godt." in page  # read-only
    assert "Behov for et nyt mål om økonomi." in page

    changed = _note(case.order, handling="indsend")
    changed["bemaerkninger"] = "Ændret bagefter"
    page = _text(client.post(url, changed))
    assert "Statusnotatet er sendt og kan ikke ændres." in page
    note.refresh_from_db()
    assert note.bemaerkninger == "Behov for et nyt mål om økonomi."


def test_sending_with_a_goal_missing_shows_the_error_and_keeps_the_input(case: Case) -> None:
    client = _client(case.staff)
    url = _url("udfoerer-statusnotat", case.opfoelgning)
    page = _text(client.post(url, _note(case.order, missing=2, handling="indsend")))
    assert "Skriv vurderingen af arbejdet med mål 2." in page
    assert "Arbejdet med mål 1 går godt." in page
    assert "Mads er flyttet i egen lejlighed." in page
    assert not Statusnotat.objects.exists()
    assert case.opfoelgning.frister.get(art=Frist.Art.STATUSNOTAT).status == Frist.Status.AABEN


def _goal_sections(page: str, order: Bestilling) -> dict[int, str]:
    """The page's part for each goal: from its article to the next."""
    parts = {}
    for g in order.indhold["maal"]:
        start = page.index(f'id="maal-{g["id"]}"')
        end = page.find("</article>", start)
        parts[g["nr"]] = page[start:end]
    return parts


def test_the_period_notes_are_shown_beside_the_right_goal(case: Case) -> None:
    goal_1 = case.order.maal.get(pk=_goal(case.order, 1))
    goal_2 = case.order.maal.get(pk=_goal(case.order, 2))
    for goal, text in ((goal_1, "Mads vaskede selv tøj i dag."), (goal_2, "Mads sagde fra.")):
        delmaal = delmaal_create(
            actor=case.staff,
            bestilling=case.order,
            formulering=f"Delmål til mål {goal.raekkefoelge}",
            indsatsmaal=[goal],
        )
        delmaalsnotat_add(actor=case.staff, bestilling=case.order, delmaal=delmaal, tekst=text)
    page = _text(_client(case.staff).get(_url("udfoerer-opfoelgning", case.opfoelgning)))
    parts = _goal_sections(page, case.order)
    assert "Mads vaskede selv tøj i dag." in parts[1]
    assert "Delmål til mål 1" in parts[1]
    assert "Mads sagde fra." not in parts[1]
    assert "Mads sagde fra." in parts[2]
    assert "Mads vaskede selv tøj i dag." not in parts[2]
    assert "Ingen delmålsnotater til målet i perioden." in parts[3]


def test_everything_outside_the_providers_active_order_is_404(case: Case, caseworker: User) -> None:
    pages = [
        ("get", _url("udfoerer-opfoelgning", case.opfoelgning), {}),
        ("post", _url("udfoerer-indkald", case.opfoelgning), _call()),
        ("post", _url("udfoerer-statusnotat", case.opfoelgning), _note(case.order)),
    ]
    others = [
        UserFactory(udfoerer=True),  # another organisation
        caseworker,  # the case's own caseworker: the provider's page is not hers
        UserFactory(leder=True, teams=[caseworker.teams.get()]),
    ]
    for user in others:
        client = _client(user)
        for method, url, data in pages:
            assert getattr(client, method)(url, data).status_code == 404, (user.role, url)
    missing = reverse("followup:udfoerer-opfoelgning", args=[999999])
    assert _client(case.staff).get(missing).status_code == 404

    # When the order ends, so does the provider's access.
    Bestilling.objects.filter(pk=case.order.pk).update(
        slutdato=timezone.localdate() - timedelta(days=1)
    )
    client = _client(case.staff)
    for method, url, data in pages:
        assert getattr(client, method)(url, data).status_code == 404, url
    assert not Statusnotat.objects.exists()
    assert Opfoelgning.objects.get(pk=case.opfoelgning.pk).status == Opfoelgning.Status.PLANLAGT


def test_a_second_provider_sees_the_follow_up_but_not_the_others_statusnotat(
    caseworker: User,
) -> None:
    mads, sent = _deliver(caseworker, second_provider=True)
    by_org = {b.udfoerer_id: b for b in sent}
    staff = {org_id: UserFactory(udfoerer=True, organisation_id=org_id) for org_id in by_org}
    for org_id, b in by_org.items():
        bestilling_accept(actor=staff[org_id], bestilling=b)
    opfoelgning = opfoelgning_plan(actor=caseworker, sag=mads.sag)
    calling = opfoelgning.udfoerer_id
    (other,) = [org_id for org_id in by_org if org_id != calling]
    client = _client(staff[calling])
    assert (
        client.post(_url("udfoerer-statusnotat", opfoelgning), _note(by_org[calling])).status_code
        == 302
    )

    page = _text(_client(staff[other]).get(_url("udfoerer-opfoelgning", opfoelgning)))
    assert "30.12.2026" in page or opfoelgning.dato.strftime("%d.%m.%Y") in page
    assert "Arbejdet med mål" not in page
    assert "Mads er flyttet i egen lejlighed." not in page
    assert _url("udfoerer-indkald", opfoelgning) not in page
    assert _url("udfoerer-statusnotat", opfoelgning) not in page
    for goal in by_org[calling].indhold["maal"]:
        assert goal["formulering"] not in page
    other_client = _client(staff[other])
    assert other_client.post(_url("udfoerer-indkald", opfoelgning), _call()).status_code == 404
    assert (
        other_client.post(
            _url("udfoerer-statusnotat", opfoelgning), _note(by_org[other], handling="indsend")
        ).status_code
        == 404
    )
    note = Statusnotat.objects.get(opfoelgning=opfoelgning)
    assert note.udfoerer_id == calling
    assert note.indsendt is None


def test_reads_are_audited(case: Case) -> None:
    client = _client(case.staff)
    _text(client.get(_url("udfoerer-opfoelgning", case.opfoelgning)))
    events = AuditEvent.objects.filter(
        actor=case.staff,
        action=AuditAction.VIEW,
        summary="Opfølgning læst",
        borger_id=case.mads.sag.borger_id,
    )
    assert events.count() == 1


def test_the_workspace_shows_the_follow_up(case: Case, caseworker: User) -> None:
    client = _client(case.staff)
    workspace = reverse("orders:udfoerer-borger", args=[case.mads.sag.borger_id])
    page = _text(client.get(workspace))
    assert _url("udfoerer-opfoelgning", case.opfoelgning) in page
    assert "Senest 30.12.2026" in page
    assert "Statusnotat senest 16.12.2026" in page
    assert f'href="#opfoelgning-{case.order.pk}"' in page

    opfoelgning_cancel(
        actor=caseworker, opfoelgning=case.opfoelgning, begrundelse="Mads er indlagt."
    )
    page = _text(client.get(workspace))
    assert _url("udfoerer-opfoelgning", case.opfoelgning) not in page
    assert "Ingen planlagt opfølgning." in page
    # The cancelled follow-up is read-only: a late post is told so, not a server error.
    page = _text(client.get(_url("udfoerer-opfoelgning", case.opfoelgning)))
    assert "Mødet er aflyst af sagsbehandleren. Mads er indlagt." in page
    assert _url("udfoerer-indkald", case.opfoelgning) not in page
    page = _text(client.post(_url("udfoerer-indkald", case.opfoelgning), _call()))
    assert "Opfølgningen er afsluttet eller aflyst." in page
    page = _text(client.post(_url("udfoerer-statusnotat", case.opfoelgning), _note(case.order)))
    assert "Opfølgningen er afsluttet eller aflyst." in page


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        _text(client.get(url))
    return len(ctx.captured_queries)


def _notes(case: Case, count: int) -> None:
    goals = list(case.order.maal.all())
    for i in range(count):
        delmaal = delmaal_create(
            actor=case.staff,
            bestilling=case.order,
            formulering=f"Delmål {i}",
            indsatsmaal=goals[i % 2 : i % 2 + 2],
        )
        for j in range(2):
            delmaalsnotat_add(
                actor=case.staff, bestilling=case.order, delmaal=delmaal, tekst=f"Notat {i}.{j}"
            )


def test_the_page_does_not_grow_in_queries_with_more_notes(
    case: Case, django_assert_max_num_queries
) -> None:
    client = _client(case.staff)
    url = _url("udfoerer-opfoelgning", case.opfoelgning)
    _notes(case, 1)
    client.post(_url("udfoerer-statusnotat", case.opfoelgning), _note(case.order))
    one_each = _queries(client, url)
    _notes(case, 4)
    with django_assert_max_num_queries(one_each):
        page = _text(client.get(url))
    assert "Notat 3.1" in page
    assert one_each <= 20
    workspace = reverse("orders:udfoerer-borger", args=[case.mads.sag.borger_id])
    with django_assert_max_num_queries(35):
        _text(client.get(workspace))
