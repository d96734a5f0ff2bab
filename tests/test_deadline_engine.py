"""The deadline engine: arming, moving, meeting and cancelling deadlines, and warnings delivered
exactly once (in-app and by e-mail).

Deadlines end at the end of a day relative to the suite's instant (tests/clock.py);
tests/test_awkward_instants.py runs these tests again at awkward instants. The on-the-day
warning's two sides (made before or after the warning hour) are pinned here.
"""

import threading
from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import SagFactory, UserFactory
from vum.access import NotFoundForUser
from vum.audit.models import AuditEvent
from vum.calendar import end_of_day
from vum.deadlines.models import Frist, FristFlytning, Varsel
from vum.deadlines.services import (
    frist_cancel,
    frist_create,
    frist_meet,
    frist_move,
    varsler_deliver_due,
)
from vum.notifications.models import IN_DOUBT_AFTER, Notifikation, UdgaaendeEmail
from vum.notifications.outbox import emails_send
from vum.notifications.services import email_resend


def _due(days: int) -> datetime:
    """The end of the day `days` from today: a deadline runs until the end of its last day."""
    return end_of_day(timezone.localdate() + timedelta(days=days))


def _frist(sag, days: int = 30, **kwargs) -> Frist:
    return frist_create(
        sag=sag,
        art=Frist.Art.SAGSBEHANDLINGSFRIST,
        frist=_due(days),
        beskrivelse="Afgørelse om § 85",
        regel="Randers R-85: 8 uger fra modtagelse",
        **kwargs,
    )


@pytest.fixture
def sag(caseworker):
    caseworker.email = "sb@randers.dk"
    caseworker.save()
    return SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)


@pytest.mark.django_db
def test_a_deadline_is_armed_with_every_step_still_ahead(sag) -> None:
    far = _frist(sag, days=30)
    assert set(far.varsler.values_list("trin", flat=True)) == {
        "7_dage_foer",
        "paa_dagen",
        "overskredet",
    }
    soon = _frist(sag, days=2)
    assert set(soon.varsler.values_list("trin", flat=True)) == {"paa_dagen", "overskredet"}
    seven = far.varsler.get(trin="7_dage_foer")
    local = timezone.localtime(seven.forfald)
    assert local.date() == (timezone.localtime(far.frist) - timedelta(days=7)).date()
    assert local.hour == 7


@pytest.mark.django_db
def test_moving_re_arms_the_warnings(sag, caseworker) -> None:
    frist = _frist(sag, days=10)
    first_generation = list(frist.varsler.values_list("pk", flat=True))
    with pytest.raises(ValidationError, match="hvorfor"):
        frist_move(frist=frist, til=_due(40), begrundelse=" ", actor=caseworker)

    moved = frist_move(
        frist=frist, til=_due(40), begrundelse="Afventer lægeerklæring", actor=caseworker
    )
    assert moved.generation == 2
    assert Varsel.objects.filter(pk__in=first_generation, annulleret=True).count() == 3
    new = Varsel.objects.filter(frist=frist, generation=2, annulleret=False)
    assert set(new.values_list("trin", flat=True)) == {"7_dage_foer", "paa_dagen", "overskredet"}
    assert FristFlytning.objects.get(frist=frist).begrundelse == "Afventer lægeerklæring"


@pytest.mark.django_db
def test_meeting_on_time_late_and_cancelling(sag, caseworker) -> None:
    on_time = frist_meet(frist=_frist(sag, days=3), actor=caseworker)
    assert on_time.status == Frist.Status.OVERHOLDT
    late = _frist(sag, days=3)
    late = frist_meet(frist=late, actor=caseworker, now=late.frist + timedelta(hours=1))
    assert late.status == Frist.Status.OVERSKREDET
    assert not late.varsler.filter(leveret__isnull=True, annulleret=False).exists()
    with pytest.raises(ValidationError, match="allerede"):
        frist_meet(frist=late, actor=caseworker)
    with pytest.raises(ValidationError):
        frist_cancel(frist=_frist(sag), begrundelse="", actor=caseworker)
    cancelled = frist_cancel(frist=_frist(sag), begrundelse="Ansøgningen trukket", actor=caseworker)
    assert cancelled.status == Frist.Status.ANNULLERET


@pytest.mark.django_db
def test_due_warnings_are_delivered_once_in_app_and_by_email(sag, caseworker) -> None:
    frist = _frist(sag, days=30)
    later = frist.frist + timedelta(days=1)

    assert varsler_deliver_due(now=later) == 3
    assert varsler_deliver_due(now=later) == 0
    notes = Notifikation.objects.filter(modtager=caseworker)
    assert notes.count() == 3
    assert all(f"sag {sag.pk}" in n.titel for n in notes)
    assert sag.borger.efternavn not in " ".join(n.titel + n.tekst for n in notes)

    assert emails_send() == 3
    assert emails_send() == 0
    assert len(mail.outbox) == 3
    ids = {m.extra_headers["Message-ID"] for m in mail.outbox}
    assert len(ids) == 3
    assert all(e.afsendt for e in UdgaaendeEmail.objects.all())


@pytest.mark.django_db
def test_a_team_deadline_warns_the_teams_caseworkers(sag, caseworker) -> None:
    colleague = UserFactory(teams=[sag.team])
    UserFactory(leder=True, teams=[sag.team])
    frist = _frist(sag, days=2, ansvarligt_team=sag.team)
    varsler_deliver_due(now=frist.frist + timedelta(days=1))
    recipients = set(Notifikation.objects.values_list("modtager", flat=True))
    assert recipients == {caseworker.pk, colleague.pk}


@pytest.mark.django_db
def test_a_moved_deadline_warns_again_before_the_new_date(sag, caseworker) -> None:
    frist = _frist(sag, days=10)
    warnings = Notifikation.objects.filter(kilde__startswith="varsel:")
    varsler_deliver_due(now=frist.frist - timedelta(days=7, hours=-8))
    assert warnings.count() == 1
    frist_move(frist=frist, til=_due(40), begrundelse="Udsat", actor=caseworker)
    moved = Frist.objects.get(pk=frist.pk)
    assert varsler_deliver_due(now=moved.frist - timedelta(days=7, hours=-8)) == 1
    assert warnings.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_racing_deliver_each_warning_once(sag) -> None:
    for _ in range(100):
        _frist(sag, days=2)
    later = timezone.now() + timedelta(days=5)
    results: list[int] = []

    def sweep() -> None:
        try:
            results.append(varsler_deliver_due(now=later, batch_size=7))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(results) == 200
    assert Notifikation.objects.count() == 200
    assert Varsel.objects.filter(leveret__isnull=True, annulleret=False).count() == 0


@pytest.mark.django_db
def test_extending_a_processing_deadline_asks_the_caseworker_to_inform_the_citizen(
    sag, caseworker
) -> None:
    frist = _frist(sag, days=10, ansvarlig=caseworker)
    frist_move(frist=frist, til=_due(30), begrundelse="Venter på speciallæge", actor=caseworker)
    note = Notifikation.objects.get(modtager=caseworker)
    assert note.titel.startswith("Orientér borgeren om forlænget sagsbehandlingsfrist")
    assert "Venter på speciallæge" in note.tekst

    earlier = Frist.objects.get(pk=frist.pk)
    frist_move(
        frist=earlier, til=_due(20), begrundelse="Oplysningerne kom tidligt", actor=caseworker
    )
    assert Notifikation.objects.count() == 1  # bringing a deadline forward needs no letter


def _due_today(sag, at: time) -> Frist:  # type: ignore[no-untyped-def]
    return frist_create(
        sag=sag,
        art=Frist.Art.PARTSHOERING,
        frist=timezone.make_aware(datetime.combine(timezone.localdate(), at)),
        beskrivelse="Svar på høring",
    )


@pytest.mark.django_db
@pytest.mark.now("2026-11-18 10:00")
def test_a_deadline_due_later_today_made_after_the_warning_hour_warns_at_once(sag) -> None:
    frist = _due_today(sag, time(23, 59, 59))
    assert frist.varsler.get(trin="paa_dagen").forfald <= timezone.now()
    assert varsler_deliver_due() == 1
    assert Notifikation.objects.get().titel.startswith("Frist i dag")


@pytest.mark.django_db
@pytest.mark.now("2026-11-18 03:00")
def test_a_deadline_due_later_today_made_before_the_warning_hour_warns_at_that_hour(sag) -> None:
    """Nobody is warned in the night: the warning waits for 07:00, like every on-the-day one."""
    frist = _due_today(sag, time(23, 59, 59))
    warning = frist.varsler.get(trin="paa_dagen")
    assert timezone.localtime(warning.forfald) == timezone.localtime().replace(
        hour=7, minute=0, second=0, microsecond=0
    )
    assert varsler_deliver_due() == 0
    assert varsler_deliver_due(now=warning.forfald) == 1
    assert Notifikation.objects.get().titel.startswith("Frist i dag")


@pytest.mark.django_db
@pytest.mark.now("2026-11-18 03:00")
def test_a_deadline_before_the_warning_hour_has_only_its_overdue_warning(sag) -> None:
    frist = _due_today(sag, time(6, 30))
    assert list(frist.varsler.values_list("trin", flat=True)) == ["overskredet"]


@pytest.mark.django_db
def test_a_deadline_cannot_be_moved_into_the_past(sag, caseworker) -> None:
    frist = _frist(sag, days=5)
    with pytest.raises(ValidationError, match="passeret"):
        frist_move(frist=frist, til=_due(-1), begrundelse="Fejl", actor=caseworker)
    assert Frist.objects.get(pk=frist.pk).generation == 1


@pytest.mark.django_db
def test_warnings_go_to_whoever_sees_the_deadline_in_mine_frister(sag, caseworker) -> None:
    colleague = UserFactory(teams=[sag.team])
    untaken = SagFactory(team=sag.team, sagsbehandler=None)
    for case in (sag, untaken):
        _frist(case, days=1)
    varsler_deliver_due(now=_due(3))
    for user in (caseworker, colleague):
        expected = set(Frist.objects.for_user(user).values_list("sag_id", flat=True))
        got = {
            int(n.titel.rsplit(" ", 1)[1])
            for n in Notifikation.objects.filter(modtager=user, kilde__startswith="varsel:")
        }
        assert got == expected
    assert Frist.objects.for_user(colleague).get().sag == untaken


def _email_in_doubt(sag) -> UdgaaendeEmail:
    """A sender that died after claiming one e-mail, before marking it sent, six minutes ago."""
    frist = _frist(sag, days=1)
    varsler_deliver_due(now=frist.frist + timedelta(days=1))
    stuck = UdgaaendeEmail.objects.first()
    claimed = timezone.now() - IN_DOUBT_AFTER - timedelta(minutes=1)
    UdgaaendeEmail.objects.filter(pk=stuck.pk).update(afsendelse_paabegyndt=claimed)
    emails_send()
    stuck.refresh_from_db()
    assert stuck.afsendt is None  # never sent twice by itself
    return stuck


@pytest.mark.django_db
def test_the_administrator_sees_emails_in_doubt(sag, client) -> None:
    stuck = _email_in_doubt(sag)
    # One claimed a moment ago is being sent right now: not in doubt.
    sending = UdgaaendeEmail.objects.exclude(pk=stuck.pk).first()
    UdgaaendeEmail.objects.filter(pk=sending.pk).update(
        afsendelse_paabegyndt=timezone.now(), afsendt=None
    )

    client.force_login(UserFactory(is_superuser=True, is_staff=True, administrator=True))
    page = client.get("/admin/notifications/udgaaendeemail/?status=i_tvivl")
    assert page.status_code == 200
    assert page.context["cl"].result_count == 1
    assert reverse("admin:notifications_udgaaendeemail_resend", args=[stuck.pk]) in (
        page.content.decode()
    )


@pytest.mark.django_db
def test_the_administrator_sends_an_email_in_doubt_again_after_confirming(sag, client) -> None:
    stuck = _email_in_doubt(sag)
    administrator = UserFactory(is_staff=True, administrator=True)
    # As the demo's administrator (tooling.management.commands.seed_demo): the outbox is read-only.
    administrator.user_permissions.add(Permission.objects.get(codename="view_udgaaendeemail"))
    client.force_login(administrator)
    url = reverse("admin:notifications_udgaaendeemail_resend", args=[stuck.pk])

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Ja, send e-mailen igen" in confirm.content.decode()
    assert UdgaaendeEmail.objects.get(pk=stuck.pk).afsendelse_paabegyndt is not None  # asked only

    mail.outbox.clear()
    response = client.post(url)
    assert response.status_code == 302
    emails_send()
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [stuck.message_id]
    assert UdgaaendeEmail.objects.get(pk=stuck.pk).afsendt is not None
    assert AuditEvent.objects.filter(
        actor=administrator, object_id=str(stuck.pk), summary__contains="i tvivl"
    ).exists()

    again = client.post(url, follow=True)  # a second click: it has gone, nothing more
    assert "ikke i tvivl" in again.content.decode()
    emails_send()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_only_the_administrator_may_send_an_email_again(sag, caseworker) -> None:
    stuck = _email_in_doubt(sag)
    with pytest.raises(NotFoundForUser):
        email_resend(actor=caseworker, email_id=stuck.pk)
    staff_caseworker = UserFactory(is_staff=True)
    client = Client()
    client.force_login(staff_caseworker)
    url = reverse("admin:notifications_udgaaendeemail_resend", args=[stuck.pk])
    assert client.post(url).status_code == 404
    assert UdgaaendeEmail.objects.get(pk=stuck.pk).afsendelse_paabegyndt is not None
