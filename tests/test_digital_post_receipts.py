"""Digital Post's receipts through Beskedfordeleren (SF1461 over AMQP, PKO_PostStatus): decision
letters sent to the fake Serviceplatformen (tests/test_digital_post.py), and the receipts put in
the municipality's dueslag on a real RabbitMQ broker (tests/peers/beskedfordeler.py), fetched by
the same task beat runs in a deployment."""

import logging
from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from assessment.models import Afgoerelse, Brev, Forsendelse, KvitteringsFejl, ParkeretKvittering
from assessment.services import forsendelse as service
from assessment.services.afgoerelse import afgoerelse_send
from assessment.services.forsendelse import (
    brev_dispatch,
    breve_dispatch_pending,
    forsendelse_receipt_record,
    forsendelse_resend,
)
from assessment.tasks import fetch_digital_post_receipts
from cases.models import Sag
from tests import test_digital_post as digital_post
from tests.factories import UserFactory
from tests.peers.beskedfordeler import (
    BROKER_URL,
    FakeBeskedfordeler,
    haendelsesbesked,
    post_status,
    require_broker,
)
from tests.test_concurrency import race
from tests.test_digital_post import Post, send, task
from tests.test_legal_rules import OPHOER, decide, line
from vum import calendar
from vum.accounts.models import Role, User
from vum.audit.models import AuditEvent
from vum.deadlines.models import Frist
from vum.notifications.models import Notifikation
from vum.serviceplatformen import beskedfordeler
from vum.serviceplatformen.beskedfordeler import ENVIRONMENTS, _sasl_token, receipts_fetch
from vum.serviceplatformen.client import Service, ServiceplatformenError

pytestmark = [pytest.mark.django_db, pytest.mark.now("2026-06-03 10:00")]
catalog = digital_post.catalog
jorn_case = digital_post.jorn_case
post = digital_post.post
CPH = ZoneInfo("Europe/Copenhagen")
DELIVERED = "Afleveret Digital Post"
TAKEN = "Modtaget Digital Post"
FAILED = "Fejlet"


@pytest.fixture
def dueslag(post: Post, settings) -> Iterator[FakeBeskedfordeler]:  # type: ignore[no-untyped-def]
    """Receipts on, as a deployment sets them up, from a dueslag of the test's own."""
    require_broker()
    with FakeBeskedfordeler() as fake:
        settings.VUM_BESKEDFORDELER_DUESLAG = fake.dueslag
        settings.VUM_BESKEDFORDELER_URL = BROKER_URL
        yield fake


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=CPH)


def sent_letter(post: Post, caseworker: User, sag: Sag) -> Brev:
    post.fake.people.add(sag.borger.cpr)
    brev = send(caseworker, sag)
    brev_dispatch(brev_id=brev.pk)
    return brev


def latest(brev: Brev) -> Forsendelse:
    """Where the letter stands for its addressee: its latest row (a receipt is one)."""
    return Forsendelse.objects.filter(brev=brev).latest("id")


def receipt_audits(brev: Brev) -> int:
    return AuditEvent.objects.filter(
        object_type="assessment.Brev", object_id=str(brev.pk), summary__contains="Kvittering"
    ).count()


# Delivered


def test_a_letter_is_delivered_when_digital_posts_receipt_says_so_and_the_deadline_runs_from_it(
    post: Post, dueslag: FakeBeskedfordeler, caseworker: User, jorn_case: Sag, client
) -> None:  # type: ignore[no-untyped-def]
    brev = sent_letter(post, caseworker, jorn_case)

    forsendelse = Forsendelse.objects.get(brev=brev)
    # Taken by Digital Post, not yet in the mailbox: sent, and counted from the dispatch.
    assert (forsendelse.status, forsendelse.leveret) == (Forsendelse.Status.SENDT, None)
    afgoerelse = Afgoerelse.objects.get(pk=brev.afgoerelse_id)
    assert afgoerelse.klagefrist == calendar.complaint_deadline(date(2026, 6, 3))
    client.force_login(caseworker)
    page = client.get(reverse("sag_detail", args=[jorn_case.pk])).content.decode()
    assert "Sendt 03.06.2026 10:00 via Digital Post" in page

    # The mailbox was reached only the next morning (Digital Post's own queue, say).
    dueslag.receipt(brev.meddelelse_uuid, TAKEN, at(3, 10, 1))
    dueslag.receipt(brev.meddelelse_uuid, DELIVERED, at(4, 9))
    with time_machine.travel(at(4, 9, 1)):
        assert fetch_digital_post_receipts() == 2

    assert dueslag.waiting() == 0
    forsendelse = latest(brev)
    assert forsendelse.status == Forsendelse.Status.LEVERET
    assert forsendelse.leveret == at(4, 9)
    assert (forsendelse.kvittering, forsendelse.kvitteret) == (DELIVERED, at(4, 9))
    afgoerelse.refresh_from_db()
    assert afgoerelse.meddelt == date(2026, 6, 4)
    assert afgoerelse.klagefrist == calendar.complaint_deadline(date(2026, 6, 4))
    page = client.get(reverse("sag_detail", args=[jorn_case.pk])).content.decode()
    assert "Leveret i Digital Post 04.06.2026 09:00" in page
    # Recorded without the letter's content or the citizen's number.
    (audit,) = AuditEvent.objects.filter(summary__startswith="Kvittering fra Digital Post: Afl")
    assert audit.borger_id == jorn_case.borger_id
    assert jorn_case.borger.cpr not in str(audit.changes)


def test_a_decision_delivered_days_later_keeps_its_notice_from_the_delivery(
    post: Post, dueslag: FakeBeskedfordeler, caseworker: User, jorn_case: Sag
) -> None:
    post.fake.people.add(jorn_case.borger.cpr)
    support = {"beskrivelse": "socialpædagogisk støtte efter servicelovens § 85"}
    decided = decide(caseworker, jorn_case, line("V-85", OPHOER, date(2026, 6, 3), **support))
    brev = afgoerelse_send(actor=caseworker, afgoerelse=decided, tekster={})
    brev_dispatch(brev_id=brev.pk)  # sent 3 June: the end stands
    assert decided.resultater.get().virkningsdato == date(2026, 6, 3)

    dueslag.receipt(brev.meddelelse_uuid, DELIVERED, at(5, 8))  # in the mailbox on 5 June
    with time_machine.travel(at(5, 8, 1)):
        assert fetch_digital_post_receipts() == 1

    assert decided.resultater.get().virkningsdato == date(2026, 6, 5)
    assert AuditEvent.objects.filter(summary__contains="flyttet ved leveringen 05.06.2026").exists()
    (notice,) = Notifikation.objects.filter(modtager=caseworker, titel__contains="rettelsesbrev")
    assert "Afgørelsesbrevet kom først frem 5. juni 2026" in notice.tekst
    assert "fra 3. juni 2026 til 5. juni 2026" in notice.tekst
    assert Frist.objects.open().filter(sag=jorn_case, art=Frist.Art.VARSLINGSPERIODE).exists()


def test_a_receipt_brought_twice_or_out_of_order_changes_nothing_more(
    post: Post, dueslag: FakeBeskedfordeler, caseworker: User, jorn_case: Sag
) -> None:
    brev = sent_letter(post, caseworker, jorn_case)
    dueslag.receipt(brev.meddelelse_uuid, DELIVERED, at(3, 10, 2))
    dueslag.receipt(brev.meddelelse_uuid, DELIVERED, at(3, 10, 2))  # Beskedfordeler again
    dueslag.receipt(brev.meddelelse_uuid, TAKEN, at(3, 10, 1))  # the earlier one, late

    assert fetch_digital_post_receipts() == 3  # all taken off the queue
    assert dueslag.waiting() == 0
    forsendelse = latest(brev)
    assert (forsendelse.status, forsendelse.kvittering) == (Forsendelse.Status.LEVERET, DELIVERED)
    assert forsendelse.leveret == at(3, 10, 2)
    assert receipt_audits(brev) == 1


@pytest.mark.django_db(transaction=True)  # two fetchers, each with its own connection
def test_two_fetchers_at_once_record_a_receipt_brought_twice_once(
    post: Post, dueslag: FakeBeskedfordeler, caseworker: User, jorn_case: Sag
) -> None:
    brev = sent_letter(post, caseworker, jorn_case)
    dueslag.receipt(brev.meddelelse_uuid, DELIVERED, at(3, 10, 2))
    dueslag.receipt(brev.meddelelse_uuid, DELIVERED, at(3, 10, 2))

    # Each takes one message and waits for the letter's row, then they compete.
    results = race(brev, fetch_digital_post_receipts, fetch_digital_post_receipts)

    assert sorted(results) == [1, 1]  # type: ignore[type-var]
    assert dueslag.waiting() == 0
    assert Forsendelse.objects.filter(brev=brev).exclude(kvittering="").count() == 1
    assert latest(brev).status == Forsendelse.Status.LEVERET
    assert receipt_audits(brev) == 1


def test_a_receipt_that_comes_before_its_dispatch_is_recorded_is_parked_and_applied_after_it(
    post: Post, dueslag: FakeBeskedfordeler, caseworker: User, jorn_case: Sag
) -> None:
    # Digital Post took the letter and its receipt came, but the worker died before its
    # commit: vum has no dispatch with that messageUUID yet.
    post.fake.people.add(jorn_case.borger.cpr)
    brev = send(caseworker, jorn_case)
    dueslag.receipt(brev.meddelelse_uuid, DELIVERED, at(3, 10, 1))
    assert fetch_digital_post_receipts() == 1
    assert dueslag.waiting() == 0
    assert ParkeretKvittering.objects.filter(reference=str(brev.meddelelse_uuid)).exists()

    assert breve_dispatch_pending() == 1  # the sweep records the dispatch
    assert latest(brev).status == Forsendelse.Status.SENDT
    assert fetch_digital_post_receipts() == 0  # nothing new in the queue; the parked one applied
    assert latest(brev).status == Forsendelse.Status.LEVERET
    assert latest(brev).leveret == at(3, 10, 1)
    assert not ParkeretKvittering.objects.exists()


def test_a_receipt_for_a_message_vum_did_not_send_is_parked_and_forgotten_after_two_weeks(
    dueslag: FakeBeskedfordeler, settings
) -> None:  # type: ignore[no-untyped-def]
    # Another of the municipality's systems sends through the same service agreement.
    dueslag.receipt(
        "6c1d8c8e-3f51-4d5c-9a43-2d4c0b7f1e11", FAILED, at(3, 10), fault=("1", "0101901234")
    )
    assert fetch_digital_post_receipts() == 1
    assert dueslag.waiting() == 0
    assert dueslag.dead_letters() == []
    (parked,) = ParkeretKvittering.objects.all()
    assert "0101901234" not in parked.fejl  # masked, as everywhere
    assert not AuditEvent.objects.filter(summary__contains="Kvittering").exists()

    with time_machine.travel(at(17, 10, 1)):
        fetch_digital_post_receipts()
    assert not ParkeretKvittering.objects.exists()


def test_a_final_receipt_stamped_in_the_same_second_as_a_progress_one_is_recorded(
    post: Post, dueslag: FakeBeskedfordeler, caseworker: User, jorn_case: Sag
) -> None:
    brev = sent_letter(post, caseworker, jorn_case)
    dueslag.receipt(brev.meddelelse_uuid, TAKEN, at(3, 10, 1))
    dueslag.receipt(brev.meddelelse_uuid, FAILED, at(3, 10, 1))
    dueslag.receipt(brev.meddelelse_uuid, DELIVERED, at(3, 10, 1))  # the failure stands
    assert fetch_digital_post_receipts() == 3
    assert latest(brev).status == Forsendelse.Status.FEJLET


def test_the_citizens_copy_has_its_own_receipt_and_the_citizens_page_one_row_per_dispatch(
    post: Post, dueslag: FakeBeskedfordeler, caseworker: User, jorn_case: Sag, client
) -> None:  # type: ignore[no-untyped-def]
    borger = jorn_case.borger
    digital_post.guardian(jorn_case)
    post.fake.people |= {borger.cpr, digital_post.GUARDIAN}
    brev = send(caseworker, jorn_case)
    brev_dispatch(brev_id=brev.pk)
    (copy,) = post.fake.deliveries_to(borger.cpr)

    dueslag.receipt(copy.message_uuid, TAKEN, at(3, 10, 1))
    dueslag.receipt(copy.message_uuid, DELIVERED, at(3, 11))
    assert fetch_digital_post_receipts() == 2

    to_copy = Forsendelse.objects.filter(brev=brev, modtager="kopi_til_borger").latest("id")
    assert (to_copy.status, to_copy.leveret) == (Forsendelse.Status.LEVERET, at(3, 11))
    to_guardian = Forsendelse.objects.filter(brev=brev, modtager="adressat").latest("id")
    assert to_guardian.status == Forsendelse.Status.SENDT  # its own receipt has not come
    client.force_login(caseworker)
    page = client.get(reverse("borger_detail", args=[borger.pk])).content.decode()
    section = page[page.index('id="sendte-breve"') :]
    assert section.count('id="forsendelse-') == 2  # the two dispatches, not their receipts
    assert f'id="forsendelse-{to_copy.pk}"' in section
    assert "Leveret i Digital Post 03.06.2026 11:00" in section


def test_physical_post_on_its_way_is_noted_on_the_case(
    post: Post, dueslag: FakeBeskedfordeler, caseworker: User, jorn_case: Sag, client
) -> None:  # type: ignore[no-untyped-def]
    borger = jorn_case.borger
    borger.adresse, borger.postnummer, borger.by = "Søndergade 14B, 1. tv", "8800", "Viborg"
    borger.save()
    post.fake.exempt.add(borger.cpr)
    brev = sent_letter(post, caseworker, jorn_case)
    assert latest(brev).status == Forsendelse.Status.FYSISK_POST

    dueslag.receipt(
        brev.meddelelse_uuid, "Afleveret til print og kuvertering", at(3, 12), channel="Fysisk Post"
    )
    assert fetch_digital_post_receipts() == 1

    assert (latest(brev).status, latest(brev).leveret) == (Forsendelse.Status.FYSISK_POST, None)
    client.force_login(caseworker)
    page = client.get(reverse("sag_detail", args=[jorn_case.pk])).content.decode()
    assert (
        "Sendt som fysisk post 03.06.2026 10:00 (afleveret til print og kuvertering "
        "03.06.2026 12:00)"
    ) in page
    afgoerelse = Afgoerelse.objects.get(pk=brev.afgoerelse_id)
    assert afgoerelse.klagefrist == calendar.complaint_deadline(date(2026, 6, 3))


def test_a_late_receipt_for_a_corrected_letter_never_shortens_the_correction_s_deadline(
    post: Post, dueslag: FakeBeskedfordeler, caseworker: User, jorn_case: Sag
) -> None:
    brev = sent_letter(post, caseworker, jorn_case)
    with time_machine.travel(at(10, 9)):
        correction = send(caseworker, jorn_case, retter=brev)
        brev_dispatch(brev_id=correction.pk)
    afgoerelse = Afgoerelse.objects.get(pk=brev.afgoerelse_id)
    assert afgoerelse.klagefrist == calendar.complaint_deadline(date(2026, 6, 10))

    dueslag.receipt(brev.meddelelse_uuid, DELIVERED, at(4, 9))  # the original's, late
    dueslag.receipt(correction.meddelelse_uuid, FAILED, at(10, 9, 5))
    with time_machine.travel(at(10, 10)):
        assert fetch_digital_post_receipts() == 2

    afgoerelse.refresh_from_db()
    assert afgoerelse.meddelt == date(2026, 6, 4)  # the decision reached the citizen then
    assert afgoerelse.klagefrist == calendar.complaint_deadline(date(2026, 6, 10))
    assert latest(correction).status == Forsendelse.Status.FEJLET  # the caseworker's task
    assert task(jorn_case).kilde == f"brev-ikke-leveret:{correction.pk}:adressat"


# Not delivered


def test_a_failed_delivery_is_a_task_the_decision_is_not_received_and_sending_again_is_new(
    post: Post, dueslag: FakeBeskedfordeler, caseworker: User, jorn_case: Sag, client
) -> None:  # type: ignore[no-untyped-def]
    cpr = jorn_case.borger.cpr
    brev = sent_letter(post, caseworker, jorn_case)
    dueslag.receipt(
        brev.meddelelse_uuid,
        FAILED,
        at(3, 10, 5),
        fault=("2019", f"Modtager {cpr} har ingen aktiv postkasse"),
    )
    assert fetch_digital_post_receipts() == 1

    forsendelse = latest(brev)
    assert forsendelse.status == Forsendelse.Status.FEJLET
    assert "ikke blev leveret" in forsendelse.fejl
    assert "har ingen aktiv postkasse" in forsendelse.fejl
    assert cpr not in forsendelse.fejl
    afgoerelse = Afgoerelse.objects.get(pk=brev.afgoerelse_id)
    assert (afgoerelse.meddelt, afgoerelse.klagefrist) == (None, None)  # not received
    assert task(jorn_case).kilde == f"brev-ikke-leveret:{brev.pk}:adressat"
    told = Notifikation.objects.get(modtager=caseworker, titel__contains="ikke leveret")
    assert cpr not in told.tekst
    client.force_login(caseworker)
    page = client.get(reverse("sag_detail", args=[jorn_case.pk])).content.decode()
    assert "Ikke leveret" in page
    assert "har ingen aktiv postkasse" in page

    # The caseworker sees to it and sends it again: a new message to Digital Post, which
    # would refuse the first one's messageUUID as delivered already.
    forsendelse_resend(actor=caseworker, forsendelse=forsendelse)
    assert breve_dispatch_pending() == 1
    first, second = post.fake.delivered
    assert first.message_uuid == str(brev.meddelelse_uuid)
    assert second.message_uuid != first.message_uuid
    again = latest(brev)
    assert (again.status, again.reference) == (Forsendelse.Status.SENDT, second.message_uuid)
    assert not Frist.objects.open().filter(sag=jorn_case, art=Frist.Art.BREV_IKKE_LEVERET)

    # A late receipt for the first message changes nothing; the second's is recorded.
    dueslag.receipt(first.message_uuid, DELIVERED, at(3, 10, 6))
    dueslag.receipt(second.message_uuid, DELIVERED, at(3, 10, 30))
    assert fetch_digital_post_receipts() == 2
    delivered = latest(brev)
    assert (delivered.status, delivered.leveret) == (Forsendelse.Status.LEVERET, at(3, 10, 30))
    assert delivered.reference == second.message_uuid
    assert Forsendelse.objects.get(pk=forsendelse.pk).status == Forsendelse.Status.FEJLET
    afgoerelse.refresh_from_db()
    assert afgoerelse.klagefrist == calendar.complaint_deadline(date(2026, 6, 3))


# Faults


def test_a_message_vum_cannot_read_is_dead_lettered_and_the_rest_are_recorded(
    post: Post, dueslag: FakeBeskedfordeler, caseworker: User, jorn_case: Sag, caplog
) -> None:  # type: ignore[no-untyped-def]
    administrator = UserFactory(role=Role.ADMINISTRATOR)
    brev = sent_letter(post, caseworker, jorn_case)
    cpr = jorn_case.borger.cpr
    dueslag.put(f"<{cpr}".encode())  # not XML
    dueslag.put(b"<Haendelsesbesked xmlns='urn:oio:besked:kuvert:1.0'/>")  # no Beskeddata
    entity = f'<!DOCTYPE x [<!ENTITY cpr "{cpr}">]><{cpr}>&cpr;</{cpr}>'
    dueslag.put(entity.encode())  # defusedxml refuses it
    no_such_day = post_status(brev.meddelelse_uuid, DELIVERED, at(3, 10)).replace(
        b"2026-06-03T", b"2026-02-30T"
    )
    dueslag.put(haendelsesbesked(no_such_day))
    # Base64 wrapped over lines, and a time without a zone (Danish): read all the same.
    payload = post_status(brev.meddelelse_uuid, DELIVERED, at(3, 10, 2).replace(tzinfo=None))
    wrapped = haendelsesbesked(payload).replace(b"<ns0:Base64>", b"<ns0:Base64>\n  ")
    dueslag.put(wrapped)

    with caplog.at_level(logging.INFO):
        assert fetch_digital_post_receipts() == 1

    assert latest(brev).status == Forsendelse.Status.LEVERET
    assert latest(brev).leveret == at(3, 10, 2)
    assert dueslag.waiting() == 0
    assert len(dueslag.dead_letters()) == 4
    assert "afvist til døde breve" in caplog.text
    assert cpr not in caplog.text
    (told,) = Notifikation.objects.filter(modtager=administrator)
    assert "kunne ikke behandles" in told.titel
    assert cpr not in told.tekst


@pytest.mark.django_db(transaction=True)  # the receipt's own transaction really commits
def test_a_receipt_recorded_by_a_worker_that_died_before_acknowledging_it_comes_again_once(
    post: Post, dueslag: FakeBeskedfordeler, caseworker: User, jorn_case: Sag, settings
) -> None:  # type: ignore[no-untyped-def]
    brev = sent_letter(post, caseworker, jorn_case)
    dueslag.receipt(brev.meddelelse_uuid, DELIVERED, at(3, 10, 2))

    def record_then_die(status):  # type: ignore[no-untyped-def]
        forsendelse_receipt_record(status=status)
        raise RuntimeError("the worker died before it acknowledged the message")

    with pytest.raises(RuntimeError, match="worker died"):
        receipts_fetch(handle=record_then_die, limit=10)
    assert dueslag.waiting() == 1  # the broker gives it back: never lost

    assert fetch_digital_post_receipts() == 1  # the next worker
    assert dueslag.waiting() == 0
    assert receipt_audits(brev) == 1  # recorded once
    assert latest(brev).status == Forsendelse.Status.LEVERET


@pytest.mark.django_db(transaction=True)  # the receipt's own transaction really rolls back
def test_a_receipt_vum_fails_on_twice_is_dead_lettered_and_does_not_hold_up_the_queue(
    post: Post, dueslag: FakeBeskedfordeler, caseworker: User, jorn_case: Sag, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    administrator = UserFactory(role=Role.ADMINISTRATOR)
    brev = sent_letter(post, caseworker, jorn_case)
    besked_id = dueslag.receipt(brev.meddelelse_uuid, DELIVERED, at(3, 10, 2))
    good = sent_letter(post, caseworker, jorn_case)
    dueslag.receipt(good.meddelelse_uuid, DELIVERED, at(3, 10, 3))
    decision_receipt = service._decision_receipt

    def broken_for_the_first(letter, *args):  # type: ignore[no-untyped-def]
        if letter.pk == brev.pk:  # inside the receipt's own transaction, after its writes
            raise RuntimeError("a fault in vum")
        return decision_receipt(letter, *args)

    monkeypatch.setattr(service, "_decision_receipt", broken_for_the_first)
    with pytest.raises(RuntimeError):
        fetch_digital_post_receipts()  # failed once: it comes again
    assert dueslag.waiting() == 2
    assert not dueslag.dead_letters()
    # The count is kept; what the receipt wrote is not.
    assert KvitteringsFejl.objects.get(noegle=besked_id).fejl == 1
    assert latest(brev).status == Forsendelse.Status.SENDT
    assert receipt_audits(brev) == 0

    assert fetch_digital_post_receipts() == 1  # failed again: dead-lettered; the next recorded
    assert dueslag.waiting() == 0
    assert len(dueslag.dead_letters()) == 1
    assert latest(brev).status == Forsendelse.Status.SENDT
    assert latest(good).status == Forsendelse.Status.LEVERET
    (told,) = Notifikation.objects.filter(modtager=administrator)
    assert besked_id in told.tekst  # which dead letter to look at
    assert "døde breve" in told.tekst
    assert "fejlede 2 gange" in told.tekst
    # Forgotten: put back in the queue once vum is mended, it is tried afresh.
    assert not KvitteringsFejl.objects.exists()


def test_failures_on_a_receipt_that_never_comes_back_are_forgotten_with_the_parked_ones(
    dueslag: FakeBeskedfordeler,
) -> None:
    KvitteringsFejl.objects.create(noegle="7d0f1c2e-5b4a-4c3d-9e8f-0a1b2c3d4e5f", fejl=1)
    with time_machine.travel(at(10, 10)):
        fetch_digital_post_receipts()
    assert KvitteringsFejl.objects.exists()
    with time_machine.travel(at(17, 10, 1)):
        fetch_digital_post_receipts()
    assert not KvitteringsFejl.objects.exists()


def test_a_message_the_parser_fails_on_is_kept_in_the_dead_letters_not_brought_forever(
    post: Post, dueslag: FakeBeskedfordeler, caseworker: User, jorn_case: Sag, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    administrator = UserFactory(role=Role.ADMINISTRATOR)
    brev = sent_letter(post, caseworker, jorn_case)
    dueslag.receipt(brev.meddelelse_uuid, DELIVERED, at(3, 10, 2))

    def parser_fault(body):  # type: ignore[no-untyped-def]
        raise AttributeError("a fault in vum's parser")

    monkeypatch.setattr(beskedfordeler, "post_status_parse", parser_fault)
    assert fetch_digital_post_receipts() == 0
    assert dueslag.waiting() == 0
    assert len(dueslag.dead_letters()) == 1  # kept, to be put back once vum is mended
    (told,) = Notifikation.objects.filter(modtager=administrator)
    assert "AttributeError" in told.tekst


@pytest.mark.django_db(transaction=True)  # the receipt's own transaction really commits
def test_a_receipt_brought_again_after_a_worker_died_is_not_dead_lettered_at_its_first_fault(
    post: Post, dueslag: FakeBeskedfordeler, caseworker: User, jorn_case: Sag, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    brev = sent_letter(post, caseworker, jorn_case)
    dueslag.receipt(brev.meddelelse_uuid, DELIVERED, at(3, 10, 2))

    def die(status):  # type: ignore[no-untyped-def]
        raise SystemExit("the worker died before it recorded anything")

    with pytest.raises(SystemExit):
        receipts_fetch(handle=die, limit=10)
    assert dueslag.waiting() == 1  # brought again: the broker marks it redelivered
    record = service.forsendelse_receipt_record
    faults = iter([RuntimeError("a passing fault in vum")])

    def failing_once(*, status):  # type: ignore[no-untyped-def]
        fault = next(faults, None)
        if fault is not None:
            raise fault
        return record(status=status)

    monkeypatch.setattr(service, "forsendelse_receipt_record", failing_once)
    with pytest.raises(RuntimeError):
        fetch_digital_post_receipts()  # its first fault in vum: it comes again
    assert not dueslag.dead_letters()
    assert fetch_digital_post_receipts() == 1
    assert latest(brev).status == Forsendelse.Status.LEVERET
    assert dueslag.waiting() == 0
    assert not dueslag.dead_letters()
    assert not KvitteringsFejl.objects.exists()  # recorded: its count is forgotten


def test_a_parked_receipt_vum_fails_on_does_not_hold_up_the_others(
    post: Post, dueslag: FakeBeskedfordeler, caseworker: User, jorn_case: Sag, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    administrator = UserFactory(role=Role.ADMINISTRATOR)
    post.fake.people.add(jorn_case.borger.cpr)
    first = send(caseworker, jorn_case)
    second = send(caseworker, jorn_case, retter=first)  # another letter: a correction
    bad = dueslag.receipt(first.meddelelse_uuid, DELIVERED, at(3, 10, 1))
    dueslag.receipt(second.meddelelse_uuid, DELIVERED, at(3, 10, 2))
    assert fetch_digital_post_receipts() == 2  # both parked: neither dispatch recorded yet
    assert breve_dispatch_pending() == 2

    record = service.forsendelse_receipt_record

    def failing_for_the_first(*, status):  # type: ignore[no-untyped-def]
        if status.besked_id == bad:
            raise RuntimeError("a fault in vum")
        return record(status=status)

    monkeypatch.setattr(service, "forsendelse_receipt_record", failing_for_the_first)
    assert fetch_digital_post_receipts() == 0
    assert latest(second).status == Forsendelse.Status.LEVERET  # not held up
    assert latest(first).status == Forsendelse.Status.SENDT
    assert ParkeretKvittering.objects.get().besked_id == bad  # kept, tried again next time
    (told,) = Notifikation.objects.filter(modtager=administrator)
    assert bad in told.tekst

    monkeypatch.undo()
    fetch_digital_post_receipts()
    assert latest(first).status == Forsendelse.Status.LEVERET


def test_beskedfordeleren_away_leaves_the_receipts_waiting(
    post: Post, dueslag: FakeBeskedfordeler, caseworker: User, jorn_case: Sag, settings, caplog
) -> None:  # type: ignore[no-untyped-def]
    brev = sent_letter(post, caseworker, jorn_case)
    dueslag.receipt(brev.meddelelse_uuid, DELIVERED, at(3, 10, 2))
    settings.VUM_BESKEDFORDELER_URL = "amqp://guest:guest@127.0.0.1:1/"  # nothing listens

    with pytest.raises(ServiceplatformenError) as away, caplog.at_level(logging.INFO):
        fetch_digital_post_receipts()
    assert away.value.retryable
    assert "kvitteringerne venter i køen" in away.value.reason
    assert latest(brev).status == Forsendelse.Status.SENDT
    assert dueslag.waiting() == 1

    settings.VUM_BESKEDFORDELER_URL = BROKER_URL  # back
    assert fetch_digital_post_receipts() == 1
    assert latest(brev).status == Forsendelse.Status.LEVERET


def test_receipts_that_do_not_come_are_told_to_the_administrators_once_an_hour(
    post: Post, dueslag: FakeBeskedfordeler, caseworker: User, jorn_case: Sag
) -> None:
    administrator = UserFactory(role=Role.ADMINISTRATOR)
    brev = sent_letter(post, caseworker, jorn_case)  # the subscription is missing, say
    with time_machine.travel(at(3, 15, 59)):
        fetch_digital_post_receipts()
    assert not Notifikation.objects.filter(modtager=administrator).exists()  # not long yet

    with time_machine.travel(at(3, 16, 1)):
        fetch_digital_post_receipts()
        fetch_digital_post_receipts()  # the same hour: told once
    (told,) = Notifikation.objects.filter(modtager=administrator)
    assert told.titel == "Kvitteringer fra Digital Post udebliver"
    assert "1 brev" in told.tekst
    assert "3. juni 2026 10:00" in told.tekst
    assert jorn_case.borger.navn not in told.tekst

    dueslag.receipt(brev.meddelelse_uuid, DELIVERED, at(3, 17))
    with time_machine.travel(at(3, 17, 1)):
        fetch_digital_post_receipts()
    assert Notifikation.objects.filter(modtager=administrator).count() == 1  # no more


def test_without_a_dueslag_no_receipt_is_fetched_and_the_acceptance_is_the_delivery(
    post: Post, caseworker: User, jorn_case: Sag, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_BESKEDFORDELER_DUESLAG = ""
    brev = sent_letter(post, caseworker, jorn_case)
    assert fetch_digital_post_receipts() == 0
    forsendelse = Forsendelse.objects.get(brev=brev)
    assert forsendelse.status == Forsendelse.Status.LEVERET
    assert timezone.localtime(forsendelse.leveret).date() == date(2026, 6, 3)  # type: ignore[arg-type]


def test_a_login_the_broker_refuses_is_a_setup_error_not_a_wait(
    dueslag: FakeBeskedfordeler, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_BESKEDFORDELER_URL = "amqp://guest:forkert@127.0.0.1:5672/"
    with pytest.raises(ServiceplatformenError) as refused:
        fetch_digital_post_receipts()
    assert not refused.value.retryable
    assert "afviste vums login" in refused.value.reason


# The login to KOMBIT's Beskedfordeler


def test_the_login_to_kombits_beskedfordeler_is_the_sts_token_for_its_afhent_service(
    post: Post, settings
) -> None:  # type: ignore[no-untyped-def]
    """KOMBIT's broker takes SASL EXTERNAL with the SAML assertion the STS issued for the
    Beskedfordeler "afhent" service; it is cached for the lifetime the STS gave."""
    _, entity_id = ENVIRONMENTS["test"]
    post.platform.services[entity_id] = "/beskedfordeler"
    service = Service(name="Beskedfordeleren (SF1461)", entity_id=entity_id, path="")

    token = _sasl_token(service)
    assert token.startswith(b"<saml:Assertion")
    assert entity_id.encode() in token
    assert _sasl_token(service) == token
    assert post.calls_to("sts") == 1
