"""The provider's (udfører's) pages: the Mads bestilling read by X-Hus (its goals 1, 2 and 4 only,
never the udredning), a second provider seeing only goal 3, 404 for everything outside the
provider's current orders (another citizen, another organisation, a caseworker, an ended order),
audited reads, the answer (receive, accept, reject with a reason), the workspace's writes
(sub-goals only towards the order's goals, a note through htmx and without, actions, status,
other notes, use of force and requests that reach the caseworker) and query counts that do not
grow with the rows."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.lifecycle import Fase
from cases.models import Sag
from orders.models import (
    Anmodning,
    Bestilling,
    Delmaal,
    Delmaalsnotat,
    Handling,
    Leveringsnotat,
    Magtanvendelse,
)
from orders.services.bestilling import bestilling_accept, bestillinger_send
from orders.services.levering import (
    anmodning_answer,
    anmodning_create,
    delmaal_create,
    delmaalsnotat_add,
    handling_add,
    leveringsnotat_add,
    magtanvendelse_report,
)
from tests.catalogs import load_catalog
from tests.factories import BestillingFactory, BorgerFactory, SagFactory, UserFactory
from tests.mads import Mads, mads_decided, mads_time
from tests.pdf import pdf_text
from vum.accounts.models import User
from vum.audit.models import AuditAction, AuditEvent
from vum.catalog.models import Undertema
from vum.deadlines.models import Frist
from vum.notifications.models import Notifikation

pytestmark = [pytest.mark.django_db, mads_time]

GOAL_1 = "Jeg passer selv min lejlighed, laver mad og vasker tøj"
GOAL_2 = "Jeg har fokus på mine egne behov og siger fra"
GOAL_3 = "Jeg er stoppet med at ryge hash og har six pack"
GOAL_4 = "Jeg har fundet ud af, hvilken uddannelse jeg gerne vil have"
UDREDNING = "Jeg har omkring 100 venner og kan ikke sige nej, når de vil sove hos mig."
FORMAAL = "Jeg har stadig min lejlighed, og jeg har taget en uddannelse."
OENSKER = "Jeg vil gerne stoppe med at ryge hash og have mere styr på det hele"


@pytest.fixture(autouse=True)
def catalog(db: None, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "randers"
    settings.VUM_LETTER_DIR = tmp_path / "breve"
    load_catalog()


@pytest.fixture
def mads(caseworker: User) -> Mads:
    return mads_decided(caseworker)


@pytest.fixture
def bestilling(mads: Mads, caseworker: User) -> Bestilling:
    (sent,) = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    return sent


@pytest.fixture
def x_hus(mads: Mads) -> User:
    return UserFactory(udfoerer=True, organisation=mads.x_hus, first_name="Pia", last_name="Pæd")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _workspace(borger_id: int) -> str:
    return reverse("orders:udfoerer-borger", args=[borger_id])


def _bestilling_url(name: str, b: Bestilling) -> str:
    return reverse(f"orders:{name}", args=[b.pk])


def _accept(user: User, b: Bestilling) -> Bestilling:
    return bestilling_accept(actor=user, bestilling=b)


def _goal(b: Bestilling, nr: int) -> int:
    return next(g["id"] for g in b.indhold["maal"] if g["nr"] == nr)


# What the provider sees


def test_home_and_the_register_lead_a_provider_to_the_workspace(
    bestilling: Bestilling, x_hus: User
) -> None:
    client = _client(x_hus)
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("orders:udfoerer-borgere")
    borger_id = bestilling.sag.borger_id
    response = client.get(reverse("borger_detail", args=[borger_id]))
    assert response.status_code == 302
    assert response["Location"] == _workspace(borger_id)
    other = BorgerFactory()
    assert client.get(reverse("borger_detail", args=[other.pk])).status_code == 404
    page = _text(client.get(reverse("orders:udfoerer-borgere")))
    assert reverse("orders:udfoerer-borgere") in page  # the menu's "Mine borgere"


def test_list_shows_orders_awaiting_an_answer_then_the_citizens(
    bestilling: Bestilling, x_hus: User, mads: Mads
) -> None:
    client = _client(x_hus)
    borger = mads.sag.borger
    page = _text(client.get(reverse("orders:udfoerer-borgere")))
    waiting, citizens = page.split('id="borgere-titel"')
    assert "Mads Madsen" in waiting
    assert borger.cpr_masked in waiting
    assert borger.cpr_formatted not in page
    assert borger.cpr not in page
    assert borger.adresse not in page
    assert "Sendt" in waiting
    assert _bestilling_url("udfoerer-bestilling", bestilling) in waiting
    assert _workspace(borger.pk) in waiting
    assert "Mads Madsen" not in citizens

    _accept(x_hus, bestilling)
    page = _text(client.get(reverse("orders:udfoerer-borgere")))
    waiting, citizens = page.split('id="borgere-titel"')
    assert "Mads Madsen" not in waiting
    assert "Mads Madsen" in citizens
    assert _workspace(borger.pk) in citizens
    assert _bestilling_url("udfoerer-bestilling", bestilling) in citizens
    events = AuditEvent.objects.filter(actor=x_hus, borger_id=borger.pk, action=AuditAction.LIST)
    assert events.count() == 2


@pytest.fixture
def two_providers(caseworker: User) -> tuple[Mads, Bestilling, Bestilling]:
    """Mads ordered from X-Hus (goals 1, 2 and 4) and the misbrugscenter (goal 3)."""
    mads = mads_decided(caseworker, second_provider=True)
    sent = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    assert mads.other is not None
    x_hus_order = next(b for b in sent if b.udfoerer_id == mads.x_hus.pk)
    misbrug_order = next(b for b in sent if b.udfoerer_id == mads.other.pk)
    return mads, x_hus_order, misbrug_order


def test_x_hus_sees_its_goals_and_never_the_udredning(
    two_providers: tuple[Mads, Bestilling, Bestilling],
) -> None:
    mads, bestilling, _ = two_providers
    client = _client(UserFactory(udfoerer=True, organisation=mads.x_hus))
    pages = [
        _text(client.get(reverse("orders:udfoerer-borgere"))),
        _text(client.get(_bestilling_url("udfoerer-bestilling", bestilling))),
        _text(client.get(_workspace(mads.sag.borger_id))),
    ]
    for page in pages[1:]:
        for goal in (GOAL_1, GOAL_2, GOAL_4):
            assert goal in page
        assert GOAL_3 not in page
        assert FORMAAL in page
        assert OENSKER in page
        assert "Tourettes syndrom (F 95.2)" in page
    for page in pages:
        assert UDREDNING not in page
        assert "100 venner" not in page
    bestilling_page = pages[1]
    assert "Kvittér for modtagelse" in bestilling_page
    assert "Acceptér bestillingen" in bestilling_page
    assert "Afvis bestillingen" in bestilling_page
    assert "Ændret siden version" not in bestilling_page
    assert "91000" in bestilling_page.replace(".", "")  # 7 hours x 26 weeks x 500 kr.
    assert mads.sag.borger.cpr_formatted in bestilling_page

    response = client.get(_bestilling_url("udfoerer-bestilling-pdf", bestilling))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="bestilling-')
    text = pdf_text(response.content)
    assert GOAL_1[:30] in text
    assert GOAL_3[:30] not in text
    assert "100 venner" not in text
    # No handleplan went along with this order.
    assert client.get(_bestilling_url("udfoerer-bestilling-bilag", bestilling)).status_code == 404


def test_a_second_provider_sees_only_its_own_goal(
    two_providers: tuple[Mads, Bestilling, Bestilling],
) -> None:
    mads, x_hus_order, misbrug_order = two_providers
    assert mads.other is not None
    misbrug = UserFactory(udfoerer=True, organisation=mads.other)
    client = _client(misbrug)
    for url in (
        _bestilling_url("udfoerer-bestilling", misbrug_order),
        _workspace(mads.sag.borger_id),
    ):
        page = _text(client.get(url))
        assert GOAL_3 in page
        for goal in (GOAL_1, GOAL_2, GOAL_4, UDREDNING):
            assert goal not in page
    # The other provider's order, its PDF and its writes are not theirs.
    for name in ("udfoerer-bestilling", "udfoerer-bestilling-pdf", "udfoerer-bestilling-bilag"):
        assert client.get(_bestilling_url(name, x_hus_order)).status_code == 404
    response = client.post(
        _bestilling_url("delmaal-create", x_hus_order),
        {"formulering": "Rydde op", "indsatsmaal": [_goal(x_hus_order, 1)]},
    )
    assert response.status_code == 404
    assert not Delmaal.objects.exists()


# Scope


def _write_posts(b: Bestilling, delmaal: Delmaal | None) -> list[tuple[str, dict]]:
    today = timezone.localdate().isoformat()
    posts: list[tuple[str, dict]] = [
        (_bestilling_url("udfoerer-bestilling-svar", b), {"svar": "accepteret"}),
        (
            _bestilling_url("delmaal-create", b),
            {"formulering": "Støvsuge hver fredag", "indsatsmaal": [_goal(b, 1)]},
        ),
        (_bestilling_url("leveringsnotat-add", b), {"tekst": "Godt humør", "dato": today}),
        (
            _bestilling_url("magtanvendelse-report", b),
            {"dato": today, "klokken": "00:01", "type": "andet", "beskrivelse": "Fastholdt."},
        ),
        (
            _bestilling_url("anmodning-create", b),
            {"art": "revisitation", "begrundelse": "Mads er flyttet."},
        ),
    ]
    if delmaal is not None:
        args = [b.pk, delmaal.pk]
        posts += [
            (reverse("orders:delmaalsnotat-add", args=args), {"tekst": "Gik godt"}),
            (reverse("orders:handling-add", args=args), {"beskrivelse": "Guidning"}),
            (reverse("orders:delmaal-status", args=args), {"status": "naaet"}),
        ]
    return posts


def _nothing_written(b: Bestilling) -> None:
    b.refresh_from_db()
    assert b.status == Bestilling.Status.ACCEPTERET  # as X-Hus left it
    assert Delmaal.objects.count() <= 1
    assert not Delmaalsnotat.objects.exists()
    assert not Handling.objects.exists()
    assert not Leveringsnotat.objects.exists()
    assert not Magtanvendelse.objects.exists()
    assert not Anmodning.objects.exists()
    assert Delmaal.objects.filter(status=Delmaal.Status.AKTIVT).count() == Delmaal.objects.count()


@pytest.mark.parametrize("who", ["other_provider", "caseworker", "x_hus_other_citizen"])
def test_everything_outside_the_providers_orders_is_404(
    bestilling: Bestilling, x_hus: User, caseworker: User, mads: Mads, who: str
) -> None:
    _accept(x_hus, bestilling)
    delmaal = delmaal_create(
        actor=x_hus,
        bestilling=bestilling,
        formulering="Vaske tøj om søndagen",
        indsatsmaal=list(bestilling.maal.filter(pk=_goal(bestilling, 1))),
    )
    if who == "other_provider":
        user = UserFactory(udfoerer=True)
        target = bestilling
    elif who == "caseworker":
        user = caseworker
        target = bestilling
    else:
        # X-Hus itself, on another citizen's order to another provider.
        user = x_hus
        target = BestillingFactory(
            sag=SagFactory(team=caseworker.teams.get()),
            udfoerer=UserFactory(udfoerer=True).organisation,
            indhold=bestilling.indhold,
        )
    client = _client(user)
    urls = [
        _workspace(target.sag.borger_id),
        _bestilling_url("udfoerer-bestilling", target),
        _bestilling_url("udfoerer-bestilling-pdf", target),
        _bestilling_url("udfoerer-bestilling-bilag", target),
    ]
    if who == "caseworker":
        urls.append(reverse("orders:udfoerer-borgere"))
    for url in urls:
        assert client.get(url).status_code == 404, url
    for url, data in _write_posts(target, delmaal):
        assert client.post(url, data).status_code == 404, url
    _nothing_written(bestilling)


def test_a_provider_gets_404_for_another_citizens_workspace(
    bestilling: Bestilling, x_hus: User
) -> None:
    client = _client(x_hus)
    other = BorgerFactory()
    SagFactory(borger=other)
    assert client.get(_workspace(other.pk)).status_code == 404
    assert client.get(_workspace(999999)).status_code == 404
    assert client.get(reverse("orders:udfoerer-bestilling", args=[999999])).status_code == 404


def test_after_the_order_ends_the_provider_gets_404_everywhere(
    bestilling: Bestilling, x_hus: User, mads: Mads
) -> None:
    _accept(x_hus, bestilling)
    delmaal = delmaal_create(
        actor=x_hus,
        bestilling=bestilling,
        formulering="Handle ind selv",
        indsatsmaal=list(bestilling.maal.filter(pk=_goal(bestilling, 1))),
    )
    client = _client(x_hus)
    assert client.get(_workspace(mads.sag.borger_id)).status_code == 200
    Bestilling.objects.filter(pk=bestilling.pk).update(
        slutdato=timezone.localdate() - timedelta(days=1)
    )
    page = _text(client.get(reverse("orders:udfoerer-borgere")))
    assert "Mads Madsen" not in page
    for url in (
        _workspace(mads.sag.borger_id),
        _bestilling_url("udfoerer-bestilling", bestilling),
        _bestilling_url("udfoerer-bestilling-pdf", bestilling),
        reverse("borger_detail", args=[mads.sag.borger_id]),
    ):
        assert client.get(url).status_code == 404, url
    for url, data in _write_posts(bestilling, delmaal):
        assert client.post(url, data).status_code == 404, url
    assert not Delmaalsnotat.objects.exists()


# Audit


def test_reads_leave_audit_events(bestilling: Bestilling, x_hus: User, mads: Mads) -> None:
    client = _client(x_hus)
    borger_id = mads.sag.borger_id
    mine = AuditEvent.objects.filter(actor=x_hus, borger_id=borger_id)
    _text(client.get(_bestilling_url("udfoerer-bestilling", bestilling)))
    assert mine.filter(action=AuditAction.VIEW, summary="Bestilling læst").count() == 1
    _text(client.get(_workspace(borger_id)))
    assert mine.filter(action=AuditAction.VIEW, summary="Leveringsmappe læst").count() == 1
    assert client.get(_bestilling_url("udfoerer-bestilling-pdf", bestilling)).status_code == 200
    assert mine.filter(action=AuditAction.PRINT).count() == 1
    _text(client.get(reverse("orders:udfoerer-borgere")))
    assert mine.filter(action=AuditAction.LIST).count() == 1


# The answer


def test_receive_then_accept_moves_the_case_to_levering(
    bestilling: Bestilling, x_hus: User, mads: Mads
) -> None:
    client = _client(x_hus)
    svar = _bestilling_url("udfoerer-bestilling-svar", bestilling)
    response = client.post(svar, {"svar": "modtaget"}, follow=True)
    assert "Du har kvitteret for modtagelsen." in _text(response)
    bestilling.refresh_from_db()
    assert bestilling.status == Bestilling.Status.MODTAGET
    page = _text(client.get(_bestilling_url("udfoerer-bestilling", bestilling)))
    assert "Kvittér for modtagelse" not in page
    assert "Acceptér bestillingen" in page

    response = client.post(svar, {"svar": "accepteret"})
    assert response.status_code == 302
    assert response["Location"] == _workspace(mads.sag.borger_id)
    bestilling.refresh_from_db()
    assert bestilling.status == Bestilling.Status.ACCEPTERET
    assert bestilling.besvaret_af == x_hus
    assert Sag.objects.get(pk=mads.sag.pk).fase == Fase.LEVERING
    page = _text(client.get(_bestilling_url("udfoerer-bestilling", bestilling)))
    assert "Acceptér bestillingen" not in page
    # A second answer changes nothing.
    response = client.post(svar, {"svar": "afvist", "begrundelse": "For sent"}, follow=True)
    assert "allerede accepteret" in _text(response)
    bestilling.refresh_from_db()
    assert bestilling.status == Bestilling.Status.ACCEPTERET


def test_a_refusal_needs_a_reason(
    bestilling: Bestilling, x_hus: User, caseworker: User, mads: Mads
) -> None:
    client = _client(x_hus)
    svar = _bestilling_url("udfoerer-bestilling-svar", bestilling)
    page = _text(client.post(svar, {"svar": "afvist", "begrundelse": "  "}))
    assert "Skriv hvorfor bestillingen afvises." in page
    assert 'aria-invalid="true"' in page
    bestilling.refresh_from_db()
    assert bestilling.status == Bestilling.Status.SENDT
    assert not Notifikation.objects.filter(
        modtager=caseworker, titel__startswith="Bestilling afvist"
    ).exists()

    page = _text(client.post(svar, {"svar": "noget andet"}))
    assert "Vælg et svar." in page

    response = client.post(svar, {"svar": "afvist", "begrundelse": "Ingen ledig plads."})
    assert response["Location"] == reverse("orders:udfoerer-borgere")
    bestilling.refresh_from_db()
    assert bestilling.status == Bestilling.Status.AFVIST
    assert bestilling.afvist_begrundelse == "Ingen ledig plads."
    assert Notifikation.objects.filter(
        modtager=caseworker, titel__startswith="Bestilling afvist"
    ).exists()
    # A refused order is no longer the provider's.
    assert client.get(_workspace(mads.sag.borger_id)).status_code == 404


def _new_version(old: Bestilling, aendringer: list[str] | None = None) -> Bestilling:
    """A new version of the order, replacing it: what sending it again after a change makes."""
    old = Bestilling.objects.get(pk=old.pk)
    old.replace()
    old.save()
    newer = Bestilling.objects.create(
        sag=old.sag,
        udfoerer=old.udfoerer,
        afgoerelse=old.afgoerelse,
        version=old.version + 1,
        erstatter=old,
        startdato=old.startdato,
        indhold=old.indhold,
        aendringer=aendringer or [],
    )
    newer.maal.set(old.maal.all())
    return newer


def test_a_replaced_order_leads_to_its_newer_version(bestilling: Bestilling, x_hus: User) -> None:
    old = bestilling
    newer = _new_version(
        old, ["Mål 'Jeg passer selv min lejlighed': forventet niveau ændret fra 1 til 2"]
    )
    client = _client(x_hus)
    response = client.get(_bestilling_url("udfoerer-bestilling", old))
    assert response.status_code == 302
    assert response["Location"] == _bestilling_url("udfoerer-bestilling", newer)
    page = _text(client.get(response["Location"]))
    assert "Ændret siden version 1" in page
    assert "forventet niveau ændret fra 1 til 2" in page
    assert client.get(_bestilling_url("udfoerer-bestilling-pdf", old)).status_code == 404
    # Another provider is not told that the order exists.
    other = _client(UserFactory(udfoerer=True))
    assert other.get(_bestilling_url("udfoerer-bestilling", old)).status_code == 404


# The workspace's writes


def test_documenting_waits_until_the_order_is_accepted(
    bestilling: Bestilling, x_hus: User, mads: Mads
) -> None:
    """The provider answers an order before it writes on it; a use of force is reported, and a
    request sent, whatever the answer."""
    client = _client(x_hus)
    page = _text(client.get(_workspace(mads.sag.borger_id)))
    assert "Når I har accepteret bestillingen, skriver I delmål og notater her." in page
    assert _bestilling_url("delmaal-create", bestilling) not in page
    assert _bestilling_url("leveringsnotat-add", bestilling) not in page
    goals = list(bestilling.maal.filter(pk=_goal(bestilling, 1)))
    refused = "Accepter bestillingen, før I dokumenterer på den."
    with pytest.raises(ValidationError, match=refused):
        delmaal_create(
            actor=x_hus, bestilling=bestilling, formulering="Vaske tøj", indsatsmaal=goals
        )
    with pytest.raises(ValidationError, match=refused):
        leveringsnotat_add(actor=x_hus, bestilling=bestilling, tekst="Rodet.")
    page = _text(
        client.post(_bestilling_url("leveringsnotat-add", bestilling), {"tekst": "Rodet."})
    )
    assert refused in page
    assert not Leveringsnotat.objects.exists()
    magtanvendelse_report(
        actor=x_hus,
        bestilling=bestilling,
        tidspunkt=timezone.now() - timedelta(hours=1),
        type="fastholdelse",
        beskrivelse="Holdt.",
    )
    anmodning_create(
        actor=x_hus, bestilling=bestilling, art="revisitation", begrundelse="Mere støtte."
    )

    _accept(x_hus, bestilling)
    page = _text(client.get(_workspace(mads.sag.borger_id)))
    assert _bestilling_url("delmaal-create", bestilling) in page
    delmaal = delmaal_create(
        actor=x_hus, bestilling=bestilling, formulering="Vaske tøj", indsatsmaal=goals
    )
    # A new version awaiting its answer: the service goes on, and so does the writing.
    newer = _new_version(bestilling)
    assert newer.awaits_answer
    assert newer.taken_on
    delmaalsnotat_add(actor=x_hus, bestilling=newer, delmaal=delmaal, tekst="Godt.")
    page = _text(client.get(_workspace(mads.sag.borger_id)))
    assert _bestilling_url("delmaal-create", newer) in page


def test_a_new_version_of_an_order_never_accepted_still_waits(
    bestilling: Bestilling, x_hus: User
) -> None:
    newer = _new_version(bestilling)
    assert not newer.taken_on
    with pytest.raises(ValidationError):
        leveringsnotat_add(actor=x_hus, bestilling=newer, tekst="Rodet.")


def test_a_sub_goal_only_towards_the_orders_goals(
    two_providers: tuple[Mads, Bestilling, Bestilling],
) -> None:
    mads, order, misbrug_order = two_providers
    goal_3 = misbrug_order.indhold["maal"][0]["id"]
    staff = UserFactory(udfoerer=True, organisation=mads.x_hus)
    _accept(staff, order)
    client = _client(staff)
    url = _bestilling_url("delmaal-create", order)
    page = _text(client.post(url, {"formulering": "Holde op med at ryge", "indsatsmaal": [goal_3]}))
    assert "Delmål kan kun knyttes til bestillingens mål." in page
    assert "Holde op med at ryge" in page  # the input is kept
    page = _text(client.post(url, {"formulering": "Rydde op", "indsatsmaal": []}))
    assert "Knyt delmålet til mindst ét indsatsmål." in page
    assert not Delmaal.objects.exists()

    tidsfrist = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.post(
        url,
        {
            "formulering": "Jeg støvsuger hver fredag",
            "indsatsmaal": [_goal(order, 1), _goal(order, 2)],
            "tidsfrist": tidsfrist,
        },
    )
    delmaal = Delmaal.objects.get()
    assert response["Location"] == _workspace(mads.sag.borger_id) + f"#delmaal-{delmaal.pk}"
    assert sorted(delmaal.indsatsmaal.values_list("pk", flat=True)) == sorted(
        [_goal(order, 1), _goal(order, 2)]
    )
    page = _text(client.get(_workspace(mads.sag.borger_id)))
    assert "Jeg støvsuger hver fredag" in page
    assert "Mål 1, Mål 2" in page


@pytest.fixture
def delmaal(bestilling: Bestilling, x_hus: User) -> Delmaal:
    _accept(x_hus, bestilling)
    return delmaal_create(
        actor=x_hus,
        bestilling=bestilling,
        formulering="Jeg laver aftensmad to gange om ugen",
        indsatsmaal=list(bestilling.maal.filter(pk=_goal(bestilling, 1))),
    )


def test_a_note_through_htmx_returns_the_sub_goal_with_the_note(
    bestilling: Bestilling, x_hus: User, delmaal: Delmaal
) -> None:
    client = _client(x_hus)
    url = reverse("orders:delmaalsnotat-add", args=[bestilling.pk, delmaal.pk])
    response = client.post(url, {"tekst": "Mads lavede pasta i dag."}, HTTP_HX_REQUEST="true")
    fragment = _text(response)
    assert "Mads lavede pasta i dag." in fragment
    assert f'id="delmaal-{delmaal.pk}"' in fragment
    assert "<html" not in fragment
    assert "Notatet er gemt." in fragment
    notat = Delmaalsnotat.objects.get()
    assert notat.dato == timezone.localdate()
    assert notat.oprettet_af == x_hus

    fragment = _text(client.post(url, {"tekst": " "}, HTTP_HX_REQUEST="true"))
    assert "Skriv hvad du har observeret." in fragment
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    fragment = _text(
        client.post(url, {"tekst": "I overmorgen", "dato": future}, HTTP_HX_REQUEST="true")
    )
    assert "Et notat kan ikke dateres frem i tiden." in fragment
    assert "I overmorgen" in fragment
    assert Delmaalsnotat.objects.count() == 1


def test_sub_goal_writes_without_javascript_redirect_back(
    bestilling: Bestilling, x_hus: User, delmaal: Delmaal, mads: Mads
) -> None:
    client = _client(x_hus)
    args = [bestilling.pk, delmaal.pk]
    back = _workspace(mads.sag.borger_id) + f"#delmaal-{delmaal.pk}"
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        reverse("orders:delmaalsnotat-add", args=args),
        {"tekst": "Handlede ind i går.", "dato": yesterday},
    )
    assert response["Location"] == back
    assert Delmaalsnotat.objects.get().dato.isoformat() == yesterday
    response = client.post(
        reverse("orders:handling-add", args=args), {"beskrivelse": "Madplan på køleskabet"}
    )
    assert response["Location"] == back
    page = _text(client.post(reverse("orders:handling-add", args=args), {"beskrivelse": ""}))
    assert "Beskriv handlingen." in page
    response = client.post(reverse("orders:delmaal-status", args=args), {"status": "naaet"})
    assert response["Location"] == back
    delmaal.refresh_from_db()
    assert delmaal.status == Delmaal.Status.NAAET
    page = _text(client.post(reverse("orders:delmaal-status", args=args), {"status": "x"}))
    assert "Ukendt status." in page
    page = _text(client.get(_workspace(mads.sag.borger_id)))
    assert "Handlede ind i går." in page
    assert "Madplan på køleskabet" in page
    assert "Nået" in page
    # An unknown sub-goal is not found, nor one reached through another of X-Hus' orders.
    missing = reverse("orders:delmaalsnotat-add", args=[bestilling.pk, 999999])
    assert client.post(missing, {"tekst": "x"}).status_code == 404
    other_order = BestillingFactory(sag=SagFactory(team=mads.sag.team), udfoerer=x_hus.organisation)
    assert client.get(_workspace(other_order.sag.borger_id)).status_code == 200
    crossed = reverse("orders:delmaalsnotat-add", args=[other_order.pk, delmaal.pk])
    assert client.post(crossed, {"tekst": "x"}).status_code == 404
    assert Delmaalsnotat.objects.count() == 1


def test_other_notes_with_ffb_sub_themes(bestilling: Bestilling, x_hus: User, mads: Mads) -> None:
    _accept(x_hus, bestilling)
    client = _client(x_hus)
    tema = Undertema.objects.current().get(navn="Gøre rent")
    url = _bestilling_url("leveringsnotat-add", bestilling)
    page = _text(client.get(_workspace(mads.sag.borger_id)))
    assert "Gøre rent" in page
    assert "<optgroup" in page
    response = client.post(url, {"tekst": "Rodet lejlighed.", "undertemaer": [tema.pk]})
    assert response["Location"] == _workspace(mads.sag.borger_id) + f"#notater-{bestilling.pk}"
    notat = Leveringsnotat.objects.get()
    assert list(notat.undertemaer.all()) == [tema]
    assert notat.dato == timezone.localdate()
    page = _text(client.post(url, {"tekst": "", "undertemaer": [999999]}))
    assert "Skriv notatet." in page
    assert "Vælg undertemaer fra det gældende FFB-katalog." in page
    assert Leveringsnotat.objects.count() == 1


def test_use_of_force_reaches_the_caseworker_at_once(
    bestilling: Bestilling, x_hus: User, caseworker: User, mads: Mads
) -> None:
    client = _client(x_hus)
    url = _bestilling_url("magtanvendelse-report", bestilling)
    page = _text(client.get(_workspace(mads.sag.borger_id)))
    assert "Sagsbehandleren får besked med det samme" in page
    earlier = timezone.localtime() - timedelta(hours=2)
    data = {
        "dato": earlier.date().isoformat(),
        "klokken": earlier.strftime("%H:%M"),
        "type": "fastholdelse",
        "beskrivelse": "Mads blev holdt i armen for ikke at løbe ud på vejen.",
    }
    page = _text(client.post(url, {**data, "type": "", "beskrivelse": ""}))
    assert "Vælg typen af magtanvendelse." in page
    assert "Beskriv hvad der skete." in page
    later = timezone.localtime() + timedelta(days=1)
    page = _text(client.post(url, {**data, "dato": later.date().isoformat()}))
    assert "Tidspunktet ligger i fremtiden." in page
    assert not Magtanvendelse.objects.exists()
    assert not Notifikation.objects.filter(titel__startswith="Magtanvendelse indberettet").exists()

    response = client.post(url, data)
    assert response.status_code == 302
    report = Magtanvendelse.objects.get()
    assert report.type == "fastholdelse"
    assert timezone.localtime(report.tidspunkt).strftime("%H:%M") == data["klokken"]
    assert Notifikation.objects.filter(
        modtager=caseworker, titel__startswith="Magtanvendelse indberettet"
    ).exists()
    page = _text(client.get(_workspace(mads.sag.borger_id)))
    assert "Mads blev holdt i armen" in page
    assert "Fastholdelse" in page


def test_a_request_gets_a_deadline_and_reaches_the_caseworker(
    bestilling: Bestilling, x_hus: User, caseworker: User, mads: Mads
) -> None:
    client = _client(x_hus)
    url = _bestilling_url("anmodning-create", bestilling)
    page = _text(client.post(url, {"art": "", "begrundelse": ""}))
    assert "Vælg hvad der anmodes om." in page
    assert not Anmodning.objects.exists()
    response = client.post(
        url, {"art": "aendrede_maal", "begrundelse": "Mads er begyndt på en uddannelse."}
    )
    assert response["Location"] == _workspace(mads.sag.borger_id) + f"#anmodninger-{bestilling.pk}"
    anmodning = Anmodning.objects.get()
    frist = Frist.objects.get(sag=mads.sag, art=Frist.Art.ANMODNING)
    assert anmodning.frist == frist
    assert Notifikation.objects.filter(
        modtager=caseworker, titel__startswith="Anmodning om ændrede mål"
    ).exists()
    page = _text(client.get(_workspace(mads.sag.borger_id)))
    assert "Mads er begyndt på en uddannelse." in page
    assert f"Afventer svar senest {timezone.localtime(frist.frist):%d.%m.%Y}" in page
    anmodning_answer(actor=caseworker, anmodning=anmodning, svar="Vi ses til møde.")
    page = _text(client.get(_workspace(mads.sag.borger_id)))
    assert "Vi ses til møde." in page
    assert "Besvaret" in page


# One way to validate: the server's, with the error summary


SUMMARY = "Formularen indeholder fejl. Ret de markerede felter:"


def _post_forms(page: str) -> list[str]:
    """The opening tags of the forms that write in the page's content (not the menu's log out)."""
    return re.findall(r"<form\b[^>]*method=\"post\"[^>]*>", page[page.index("<main") :])


def test_the_providers_forms_leave_validation_to_the_server(
    bestilling: Bestilling, x_hus: User, mads: Mads
) -> None:
    """No browser bubble: every form on the provider's pages says novalidate."""
    client = _client(x_hus)
    pages = [
        _text(client.get(_bestilling_url("udfoerer-bestilling", bestilling))),
        _text(client.get(_workspace(mads.sag.borger_id))),
    ]
    _accept(x_hus, bestilling)
    delmaal_create(
        actor=x_hus,
        bestilling=bestilling,
        formulering="Vaske tøj om søndagen",
        indsatsmaal=list(bestilling.maal.filter(pk=_goal(bestilling, 1))),
    )
    pages.append(_text(client.get(_workspace(mads.sag.borger_id))))
    counts = [len(_post_forms(page)) for page in pages]
    # Receive, accept, refuse; use of force and request before the answer; then a sub-goal's
    # note, action and status, a new sub-goal, another note, use of force and a request.
    assert counts == [3, 2, 7]
    for page in pages:
        for tag in _post_forms(page):
            assert " novalidate" in tag, tag


def test_an_empty_required_field_shows_the_summary_and_keeps_the_input(
    bestilling: Bestilling, x_hus: User, delmaal: Delmaal, mads: Mads
) -> None:
    client = _client(x_hus)
    args = [bestilling.pk, delmaal.pk]
    today = timezone.localdate().isoformat()
    cases = [
        (
            _bestilling_url("delmaal-create", bestilling),
            {"formulering": "Jeg støvsuger hver fredag"},
            "Knyt delmålet til mindst ét indsatsmål.",
            "Jeg støvsuger hver fredag",
        ),
        (
            reverse("orders:delmaalsnotat-add", args=args),
            {"tekst": "", "dato": "2026-11-17"},
            "Skriv hvad du har observeret.",
            'value="2026-11-17"',
        ),
        (
            reverse("orders:handling-add", args=args),
            {"beskrivelse": ""},
            "Beskriv handlingen.",
            None,
        ),
        (
            reverse("orders:delmaal-status", args=args),
            {"status": ""},
            "Vælg en status.",
            None,
        ),
        (
            _bestilling_url("leveringsnotat-add", bestilling),
            {"tekst": "", "dato": "2026-11-16"},
            "Skriv notatet.",
            'value="2026-11-16"',
        ),
        (
            _bestilling_url("magtanvendelse-report", bestilling),
            {"dato": today, "klokken": "", "type": "andet", "beskrivelse": "Holdt fast i armen."},
            "Angiv klokkeslættet.",
            "Holdt fast i armen.",
        ),
        (
            _bestilling_url("anmodning-create", bestilling),
            {"art": "", "begrundelse": "Mads er flyttet."},
            "Vælg hvad der anmodes om.",
            "Mads er flyttet.",
        ),
    ]
    sub_goal = {reverse(f"orders:{n}", args=args) for n in ("delmaalsnotat-add", "handling-add")}
    sub_goal.add(reverse("orders:delmaal-status", args=args))
    for url, data, error, kept in cases:
        # A sub-goal's forms are sent in place (htmx) and, without JavaScript, as a page.
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}) if url in sub_goal else ({},):
            page = _text(client.post(url, data, **headers))  # never a redirect or a 500
            assert SUMMARY in page, url
            assert 'class="field-errors"' in page, url
            assert error in page, url
            if kept:
                assert kept in page, url
    assert Delmaal.objects.count() == 1
    assert not Delmaalsnotat.objects.exists()
    assert not Handling.objects.exists()
    assert not Leveringsnotat.objects.exists()
    assert not Magtanvendelse.objects.exists()
    assert not Anmodning.objects.exists()


def test_the_workspace_puts_todays_work_before_the_order_and_the_master_data(
    bestilling: Bestilling, x_hus: User, delmaal: Delmaal, mads: Mads
) -> None:
    client = _client(x_hus)
    page = _text(client.get(_workspace(mads.sag.borger_id)))
    p = bestilling.pk
    order = [
        f'id="delmaal-{delmaal.pk}"',
        f'id="id_notat_{delmaal.pk}_tekst"',
        f'id="notater-{p}"',
        f'id="id_leveringsnotat_{p}_tekst"',
        f'id="opfoelgning-{p}"',
        f'id="magtanvendelser-{p}"',
        f'id="anmodninger-{p}"',
        f'id="bestilling-{p}"',
        FORMAAL,
        'id="stamdata"',
        "CPR-nummer",
    ]
    positions = [page.index(marker) for marker in order]
    assert positions == sorted(positions)
    # The order and the master data are folded under a summary that says what is inside.
    assert "Vis borgerens ønsker, mål og indsats" in page
    assert "Vis CPR-nummer, adresse, kontaktpersoner og diagnoser" in page


def test_the_answer_comes_after_the_orders_key_facts(bestilling: Bestilling, x_hus: User) -> None:
    client = _client(x_hus)
    page = _text(client.get(_bestilling_url("udfoerer-bestilling", bestilling)))
    facts, rest = page.split('id="svar"')
    facts = facts[facts.index('id="kort"') :]
    indsats = bestilling.indhold["indsatser"][0]
    line = indsats["prislinjer"][0]
    for fact in (
        "Mads Madsen",
        f"Fra {bestilling.startdato:%d.%m.%Y}",
        indsats["ydelser"][0],
        f"{line['antal']} {line['enhed'].lower()} / {line['frekvens'].lower()}",
        f"{len(bestilling.indhold['maal'])} mål",
    ):
        assert fact in facts, fact
    for button in ("Kvittér for modtagelse", "Acceptér bestillingen", "Afvis bestillingen"):
        assert button not in facts
        assert button in rest
    page = _text(
        client.post(
            _bestilling_url("udfoerer-bestilling-svar", bestilling),
            {"svar": "afvist", "begrundelse": ""},
        )
    )
    assert SUMMARY in page
    assert "data-error-summary" in page
    assert 'href="#id_svar_begrundelse"' in page


# Query counts


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        _text(client.get(url))
    return len(ctx.captured_queries)


def test_the_list_does_not_grow_in_queries_with_more_citizens(
    bestilling: Bestilling, x_hus: User, caseworker: User, django_assert_max_num_queries
) -> None:
    client = _client(x_hus)
    url = reverse("orders:udfoerer-borgere")
    BestillingFactory(sag=SagFactory(team=caseworker.teams.get()), udfoerer=x_hus.organisation)
    one_each = _queries(client, url)
    for _ in range(3):
        BestillingFactory(sag=SagFactory(team=caseworker.teams.get()), udfoerer=x_hus.organisation)
        BestillingFactory(
            sag=SagFactory(team=caseworker.teams.get()),
            udfoerer=x_hus.organisation,
            status=Bestilling.Status.SENDT,
        )
    with django_assert_max_num_queries(one_each):
        page = _text(client.get(url))
    assert page.count('class="u-item__name"') == 8
    assert one_each <= 15


def _write_rows(b: Bestilling, user: User, rows: range) -> None:
    tema = Undertema.objects.current().first()
    assert tema is not None
    earlier = timezone.now() - timedelta(hours=1)
    for i in rows:
        delmaal = delmaal_create(
            actor=user,
            bestilling=b,
            formulering=f"Delmål {i}",
            indsatsmaal=list(b.maal.all()[:2]),
        )
        handling_add(actor=user, bestilling=b, delmaal=delmaal, beskrivelse=f"H {i}")
        for j in range(2):
            delmaalsnotat_add(actor=user, bestilling=b, delmaal=delmaal, tekst=f"Notat {i}.{j}")
        leveringsnotat_add(actor=user, bestilling=b, tekst=f"Nt {i}", undertemaer=[tema])
        magtanvendelse_report(
            actor=user, bestilling=b, tidspunkt=earlier, type="andet", beskrivelse=f"M {i}"
        )
        anmodning_create(actor=user, bestilling=b, art="revisitation", begrundelse=f"A {i}")


def test_the_workspace_does_not_grow_in_queries_with_more_rows(
    bestilling: Bestilling, x_hus: User, mads: Mads, django_assert_max_num_queries
) -> None:
    _accept(x_hus, bestilling)
    client = _client(x_hus)
    url = _workspace(mads.sag.borger_id)
    _write_rows(bestilling, x_hus, range(1))
    one_each = _queries(client, url)
    _write_rows(bestilling, x_hus, range(1, 3))
    with django_assert_max_num_queries(one_each):
        page = _text(client.get(url))
    assert page.count('class="u-delmaal ') == 3
    for text in ("Notat 2.1", "Nt 2", "M 2", "A 2"):
        assert text in page
    assert one_each <= 30
    page_url = _bestilling_url("udfoerer-bestilling", bestilling)
    with django_assert_max_num_queries(15):
        _text(client.get(page_url))
