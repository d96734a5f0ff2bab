"""Notifications between the provider and the caseworker: each provider act tells the case's
caseworkers with a link to the exact place, a provider is never told a case number but the
citizen's first name and initials and the order's service, and a notification is read once its
task is handled (issues 20 and 21)."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.models import Borger, Sag
from orders.models import Anmodning, Bestilling, Magtanvendelse
from orders.services.bestilling import (
    bestilling_accept,
    bestilling_receive,
    bestilling_reject,
    bestillinger_send,
    indsats_udfoerer_set,
)
from orders.services.common import fornavn_initialer
from orders.services.levering import anmodning_answer, anmodning_create, magtanvendelse_report
from tests.catalogs import load_catalog
from tests.factories import UserFactory
from tests.mads import Mads, mads_decided, mads_time
from vum.accounts.models import User
from vum.notifications.models import Notifikation

pytestmark = [pytest.mark.django_db, mads_time]

CASE_NUMBER = re.compile(r"\bsag \d+", re.IGNORECASE)


@pytest.fixture(autouse=True)
def catalog(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "randers"
    load_catalog()


@pytest.fixture
def mads(caseworker: User) -> Mads:
    return mads_decided(caseworker)


def _sent(caseworker: User, mads: Mads) -> tuple[Bestilling, list[User]]:
    """The order to X-Hus with two of its staff, who both hear of it."""
    staff = [UserFactory(udfoerer=True, organisation=mads.x_hus) for _ in range(2)]
    (bestilling,) = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    return bestilling, staff


def _case_page(sag: Sag, anchor: str) -> str:
    return reverse("orders:sag-bestillinger", args=[sag.pk]) + f"#{anchor}"


def _to_provider(notice: Notifikation) -> None:
    """What a provider is told names the citizen briefly and the service, never the case."""
    assert "Mads M." in notice.titel
    assert "Mads M." in notice.tekst
    assert "Madsen" not in notice.titel + notice.tekst
    assert "Mestringsvejledning" in notice.tekst
    assert not CASE_NUMBER.search(notice.titel + notice.tekst)


def test_first_name_and_initials_of_the_last_names() -> None:
    assert fornavn_initialer(Borger(fornavn="Mads", efternavn="Holm")) == "Mads H."
    assert fornavn_initialer(Borger(fornavn="Anne Sofie", efternavn="Holm Berg")) == (
        "Anne Sofie H. B."
    )


def test_a_new_order_names_the_citizen_and_the_service(caseworker: User, mads: Mads) -> None:
    bestilling, staff = _sent(caseworker, mads)

    for user in staff:
        (notice,) = Notifikation.objects.filter(modtager=user)
        assert notice.titel == "Ny bestilling: Mads M."
        _to_provider(notice)
        assert notice.link == reverse("orders:udfoerer-bestilling", args=[bestilling.pk])
        assert notice.laest is None


def test_accepting_tells_the_caseworker_and_the_order_is_read_by_all_staff(
    caseworker: User, mads: Mads
) -> None:
    bestilling, staff = _sent(caseworker, mads)
    bestilling_accept(actor=staff[0], bestilling=bestilling)

    (notice,) = Notifikation.objects.filter(modtager=caseworker)
    assert notice.titel == "Bestilling accepteret: Mads M."
    assert "X-Hus har accepteret bestillingen af Mestringsvejledning til Mads M." in notice.tekst
    assert notice.link == _case_page(mads.sag, f"bestilling-{bestilling.pk}")
    assert not Notifikation.objects.filter(modtager__in=staff, laest__isnull=True).exists()


def test_receiving_marks_the_order_read(caseworker: User, mads: Mads) -> None:
    bestilling, staff = _sent(caseworker, mads)
    bestilling_receive(actor=staff[1], bestilling=bestilling)

    assert not Notifikation.objects.filter(modtager__in=staff, laest__isnull=True).exists()
    assert not Notifikation.objects.filter(modtager=caseworker).exists()


def test_a_refusal_without_a_reason_tells_nobody_and_leaves_the_order_unread(
    caseworker: User, mads: Mads
) -> None:
    bestilling, staff = _sent(caseworker, mads)
    with pytest.raises(ValidationError):
        bestilling_reject(actor=staff[0], bestilling=bestilling, begrundelse=" ")
    assert not Notifikation.objects.filter(modtager=caseworker).exists()
    assert Notifikation.objects.filter(modtager__in=staff, laest__isnull=True).count() == 2

    bestilling_reject(actor=staff[0], bestilling=bestilling, begrundelse="Ingen ledig plads.")
    (notice,) = Notifikation.objects.filter(modtager=caseworker)
    assert notice.titel == "Bestilling afvist: Mads M."
    assert "Mestringsvejledning til Mads M." in notice.tekst
    assert "Ingen ledig plads" not in notice.tekst  # the reason stays in the case
    assert notice.link == _case_page(mads.sag, f"afvist-{bestilling.pk}")
    assert not Notifikation.objects.filter(modtager__in=staff, laest__isnull=True).exists()


def test_a_case_without_caseworker_tells_each_caseworker_of_the_team_once(
    caseworker: User, mads: Mads
) -> None:
    colleague = UserFactory(teams=[caseworker.teams.get()])
    bestilling, staff = _sent(caseworker, mads)
    Sag.objects.filter(pk=mads.sag.pk).update(sagsbehandler=None)
    bestilling_accept(actor=staff[0], bestilling=bestilling)

    notices = Notifikation.objects.filter(kilde=f"bestilling-accepteret-{bestilling.pk}")
    assert sorted(n.modtager_id for n in notices) == sorted([caseworker.pk, colleague.pk])


def test_magtanvendelse_links_to_the_report(caseworker: User, mads: Mads) -> None:
    bestilling, staff = _sent(caseworker, mads)
    bestilling_accept(actor=staff[0], bestilling=bestilling)
    before = Notifikation.objects.count()
    with pytest.raises(ValidationError):
        magtanvendelse_report(
            actor=staff[0],
            bestilling=bestilling,
            tidspunkt=timezone.now() + timedelta(hours=1),
            type=Magtanvendelse.Type.FASTHOLDELSE,
            beskrivelse="Holdt i armen.",
        )
    assert Notifikation.objects.count() == before

    report = magtanvendelse_report(
        actor=staff[0],
        bestilling=bestilling,
        tidspunkt=timezone.now() - timedelta(hours=2),
        type=Magtanvendelse.Type.FASTHOLDELSE,
        beskrivelse="Holdt i armen.",
    )
    (notice,) = Notifikation.objects.filter(modtager=caseworker, kilde__startswith="magt")
    assert notice.titel == "Magtanvendelse indberettet: Mads M."
    assert "over for Mads M." in notice.tekst
    assert "Mestringsvejledning" in notice.tekst
    assert "armen" not in notice.tekst
    assert notice.link == _case_page(mads.sag, f"magtanvendelse-{report.pk}")


def test_a_request_and_its_answer(caseworker: User, mads: Mads) -> None:
    bestilling, staff = _sent(caseworker, mads)
    bestilling_accept(actor=staff[0], bestilling=bestilling)
    with pytest.raises(ValidationError):
        anmodning_create(
            actor=staff[0], bestilling=bestilling, art=Anmodning.Art.REVISITATION, begrundelse=""
        )
    assert not Notifikation.objects.filter(kilde__startswith="anmodning").exists()

    anmodning = anmodning_create(
        actor=staff[0],
        bestilling=bestilling,
        art=Anmodning.Art.REVISITATION,
        begrundelse="Mads har brug for flere timer om aftenen.",
    )
    (notice,) = Notifikation.objects.filter(modtager=caseworker, kilde__startswith="anmodning")
    assert notice.titel == "Anmodning om revisitation: Mads M."
    assert "anmoder om revisitation for Mads M." in notice.tekst
    assert "Mestringsvejledning" in notice.tekst
    assert notice.link == _case_page(mads.sag, f"anmodning-{anmodning.pk}")
    assert notice.laest is None

    anmodning_answer(actor=caseworker, anmodning=anmodning, svar="Vi tager det op snart.")
    notice.refresh_from_db()
    assert notice.laest is not None
    for user in staff:
        (answer,) = Notifikation.objects.filter(modtager=user, kilde__startswith="anmodning")
        assert answer.titel == "Svar på anmodning: Mads M."
        _to_provider(answer)
        assert answer.link == (
            reverse("orders:udfoerer-borger", args=[mads.sag.borger_id])
            + f"#anmodninger-{bestilling.pk}"
        )
        assert answer.laest is None


def test_a_new_version_replaces_the_unanswered_notice_and_an_ended_order_is_told(
    caseworker: User,
) -> None:
    mads = mads_decided(caseworker, second_provider=True)
    assert mads.other is not None
    x_staff = UserFactory(udfoerer=True, organisation=mads.x_hus)
    center_staff = UserFactory(udfoerer=True, organisation=mads.other)
    sent = {b.udfoerer: b for b in bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)}
    (center_notice,) = Notifikation.objects.filter(modtager=center_staff)
    _to_provider(center_notice)

    # X-Hus takes over the center's indsats: X-Hus gets a new version, the center's order ends.
    indsats_udfoerer_set(
        actor=caseworker,
        indsats=mads.vurdering.indsatser.get(udfoerer=mads.other),
        udfoerer=mads.x_hus,
    )
    (second,) = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)

    first_notice = Notifikation.objects.get(kilde=f"bestilling-{sent[mads.x_hus].pk}")
    assert first_notice.laest is not None
    changed = Notifikation.objects.get(modtager=x_staff, kilde=f"bestilling-{second.pk}")
    assert changed.titel == "Ændret bestilling: Mads M."
    assert "(version 2)" in changed.tekst
    _to_provider(changed)
    assert changed.laest is None

    center_notice.refresh_from_db()
    assert center_notice.laest is not None
    ended = Notifikation.objects.get(modtager=center_staff, kilde__startswith="bestilling-ophoerer")
    assert ended.titel == "Bestilling ophørt: Mads M."
    _to_provider(ended)
    assert ended.link == reverse("orders:udfoerer-borgere")  # no access to the citizen now
