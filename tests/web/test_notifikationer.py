"""The bell and the notification inbox: counts, order, marking read, and privacy.

Times are relative to the suite's instant (tests/clock.py): notifications are ordered by when
they came, whatever day that is.
"""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tests.web.conftest import World
from vum.accounts.models import User
from vum.calendar import end_of_day
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_create, varsler_deliver_due
from vum.notifications.models import Notifikation
from vum.notifications.services import Besked, notifikationer_create


def _notify(user: User, *titles: str, link: str = "/mine-sager/") -> list[Notifikation]:
    created = notifikationer_create(
        beskeder=[
            Besked(modtager=user, titel=t, tekst=f"Tekst til {t}", link=link, kilde=f"test:{t}")
            for t in titles
        ]
    )
    # Spread the creation times so that "newest first" is about time, not insertion order.
    now = timezone.now()
    for age, n in enumerate(reversed(created)):
        Notifikation.objects.filter(pk=n.pk).update(oprettet=now - timedelta(minutes=age))
    return created


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_bell_shows_the_unread_count(caseworker: User) -> None:
    client = _client(caseworker)
    html = client.get(reverse("inbox")).content.decode()
    assert 'aria-label="Notifikationer, ingen ulæste"' in html
    assert f'href="{reverse("notifikationer")}"' in html

    first, *_ = _notify(caseworker, "En", "To", "Tre")
    _notify(UserFactory(), "Andens")
    html = client.get(reverse("inbox")).content.decode()
    assert 'aria-label="Notifikationer, 3 ulæste"' in html

    client.get(reverse("notifikation_open", args=[first.pk]))
    html = client.get(reverse("inbox")).content.decode()
    assert 'aria-label="Notifikationer, 2 ulæste"' in html


def test_no_bell_for_anonymous_visitors(db: None) -> None:
    html = Client().get(reverse("login")).content.decode()
    assert "Notifikationer" not in html


def test_inbox_lists_own_notifications_newest_first_with_unread_marked(caseworker: User) -> None:
    _, middle, _ = _notify(caseworker, "Ældste", "Mellemste", "Nyeste")
    Notifikation.objects.filter(pk=middle.pk).update(laest=timezone.now())
    _notify(UserFactory(), "Hemmelig besked")

    response = _client(caseworker).get(reverse("notifikationer"))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Nyeste") < html.index("Mellemste") < html.index("Ældste")
    assert "Hemmelig besked" not in html
    assert html.count("notification--unread") == 2
    assert html.count('class="unread-badge"') == 2
    assert "Du har 2 ulæste notifikationer." in html
    assert "Markér alle som læst" in html


def test_inbox_is_paginated_by_fifty(caseworker: User) -> None:
    _notify(caseworker, *[f"Besked nr. {i:02d}" for i in range(51)])
    client = _client(caseworker)
    first = client.get(reverse("notifikationer")).content.decode()
    assert first.count('class="notification ') == 50
    assert "Side 1 af 2" in first
    second = client.get(reverse("notifikationer") + "?side=2").content.decode()
    assert second.count('class="notification ') == 1
    # The oldest is last.
    assert "Besked nr. 00" in second


def test_opening_marks_read_and_follows_the_link(world: World) -> None:
    cw = world.users["sagsbehandler_ind"]
    link = reverse("sag_detail", args=[world.sag.pk])
    (n,) = _notify(cw, "Frist om 7 dage", link=link)
    client = _client(cw)

    response = client.get(reverse("notifikation_open", args=[n.pk]))

    assert response.status_code == 302
    assert response["Location"] == link
    n.refresh_from_db()
    assert n.laest is not None
    # Opening it again keeps the first read time.
    first_read = n.laest
    client.post(reverse("notifikation_open", args=[n.pk]))
    n.refresh_from_db()
    assert n.laest == first_read


def test_a_warning_delivered_by_the_engine_leads_to_its_case(world: World) -> None:
    cw = world.users["sagsbehandler_ind"]
    due = end_of_day(timezone.localdate() + timedelta(days=10))
    frist_create(
        sag=world.sag,
        art=Frist.Art.PARTSHOERING,
        frist=due,
        beskrivelse="Partshøring før afgørelse",
        ansvarlig=cw,
    )
    assert varsler_deliver_due(now=due - timedelta(days=6)) == 1
    client = _client(cw)
    html = client.get(reverse("notifikationer")).content.decode()
    assert "Frist om 7 dage: partshøring" in html
    n = Notifikation.objects.get(modtager=cw)
    response = client.get(reverse("notifikation_open", args=[n.pk]))
    assert response["Location"] == reverse("sag_detail", args=[world.sag.pk])


def test_a_link_off_the_site_is_not_followed(caseworker: User) -> None:
    (n,) = _notify(caseworker, "Mistænkelig", link="https://example.org/phish")
    response = _client(caseworker).get(reverse("notifikation_open", args=[n.pk]))
    assert response["Location"] == reverse("notifikationer")


def test_another_users_notification_is_not_found(caseworker: User) -> None:
    (theirs,) = _notify(UserFactory(), "Ikke din")
    client = _client(caseworker)
    assert client.get(reverse("notifikation_open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifikation_open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.laest is None


def test_mark_all_read(caseworker: User) -> None:
    _notify(caseworker, "En", "To")
    (theirs,) = _notify(UserFactory(), "Andens")
    client = _client(caseworker)

    # POST only: the address opened as a page leads to the notifications and marks nothing.
    assert client.get(reverse("notifikationer_laest"))["Location"] == reverse("notifikationer")
    assert Notifikation.objects.filter(modtager=caseworker, laest__isnull=True).count() == 2
    response = client.post(reverse("notifikationer_laest"))

    assert response.status_code == 302
    assert not Notifikation.objects.filter(modtager=caseworker, laest__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.laest is None
    html = client.get(response["Location"]).content.decode()
    assert "2 notifikationer er markeret som læst." in html
    assert 'aria-label="Notifikationer, ingen ulæste"' in html
    assert "Markér alle som læst" not in html


def test_the_inbox_needs_a_login(db: None) -> None:
    response = Client().get(reverse("notifikationer"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
