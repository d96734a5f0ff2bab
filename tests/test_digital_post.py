"""Decision letters through Digital Post (SF1601, MeMo 1.2) against a fake Serviceplatformen on a
loopback port (tests/peers/digital_post.py): the same services a deployment runs, from
`afgoerelse_send` through the outbox to KombiPostAfsend, with the faults Digital Post can give."""

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessment.models import Afgoerelse, Brev, Forsendelse
from assessment.services.afgoerelse import afgoerelse_send
from assessment.services.forsendelse import (
    brev_dispatch,
    breve_dispatch_pending,
    forsendelse_resend,
    pending_letters,
)
from cases.models import Relation, Sag
from tests import test_afgoerelse as jorn
from tests.factories import RelationFactory, UserFactory
from tests.pdf import pdf_text
from tests.peers.certificates import make_certificate
from tests.peers.digital_post import FakeDigitalPost
from tests.peers.serviceplatformen import FakeServiceplatformen, Fault, point_settings_at
from tests.test_afgoerelse import jorn_decision
from vum import calendar
from vum.accounts.models import Role, User
from vum.deadlines.models import Frist
from vum.notifications.models import Notifikation
from vum.serviceplatformen.client import Config, ServiceplatformenClient, ServiceplatformenError
from vum.serviceplatformen.digital_post import (
    KOMBI_POST_AFSEND,
    POST_FORESPOERG,
    DigitalPostDispatcher,
)

# Jørn's decision of 29 May 2026 is sent on 3 June (tests/test_afgoerelse.py).
pytestmark = [pytest.mark.django_db, pytest.mark.now("2026-06-03 10:00")]
catalog = jorn.catalog
jorn_case = jorn.jorn_case

CVR = "29189846"
KLE = "27.24.00"
GUARDIAN = "1206604321"
KOMBI = KOMBI_POST_AFSEND.path + "/kombi"
FORESPOERG = POST_FORESPOERG.path + "/digitalpost"


@dataclass
class Post:
    fake: FakeDigitalPost
    platform: FakeServiceplatformen
    config: Config

    def calls_to(self, endpoint: str) -> int:
        return sum(1 for call in self.platform.calls if call.endpoint == endpoint)


@pytest.fixture
def post(tmp_path: Path, settings) -> Iterator[Post]:  # type: ignore[no-untyped-def]
    """Digital Post as a deployment configures it, pointed at the fake platform."""
    cert, key = make_certificate("kommunen-foces", tmp_path / "kommunen")
    fake = FakeDigitalPost(cvr=CVR, people=set())
    with FakeServiceplatformen(
        tmp_path / "platform",
        municipality_cert=cert,
        cvr=CVR,
        services={
            KOMBI_POST_AFSEND.entity_id: KOMBI_POST_AFSEND.path,
            POST_FORESPOERG.entity_id: POST_FORESPOERG.path,
        },
        handlers=fake.handlers(KOMBI_POST_AFSEND.path, POST_FORESPOERG.path),
    ) as platform:
        config = point_settings_at(settings, platform, cvr=CVR, cert=cert, key=key)
        settings.VUM_LETTER_DISPATCHER = "vum.serviceplatformen.digital_post.DigitalPostDispatcher"
        settings.VUM_DIGITAL_POST_SENDER = "Viborg Kommune"
        settings.VUM_DIGITAL_POST_KLE = KLE
        settings.VUM_DIGITAL_POST_KLE_VERSION = "2.20"
        settings.VUM_DIGITAL_POST_KLE_LABEL = "Voksne med handicap (kommunens journalplan)"
        settings.VUM_DIGITAL_POST_KLE_FACET = "G01"
        settings.VUM_DIGITAL_POST_FORSENDELSESTYPE = "265"
        yield Post(fake=fake, platform=platform, config=config)


def send(caseworker: User, sag: Sag, retter: Brev | None = None) -> Brev:
    afgoerelse = retter.afgoerelse if retter is not None else jorn_decision(caseworker, sag)
    assert afgoerelse is not None
    return afgoerelse_send(actor=caseworker, afgoerelse=afgoerelse, tekster={}, retter=retter)


def guardian(sag: Sag, cpr: str = GUARDIAN) -> Relation:
    return RelationFactory(
        borger=sag.borger,
        type=Relation.Type.VAERGE,
        vaergemaalsform="par5",
        navn="Karen Værge",
        cpr=cpr,
        varetager_partsrettigheder=True,
    )


def task(sag: Sag) -> Frist:
    return Frist.objects.open().get(sag=sag, art=Frist.Art.BREV_IKKE_LEVERET)


# Delivered


def test_a_decision_letter_is_delivered_once_as_digital_post_and_its_receipt_starts_the_complaint_deadline(  # noqa: E501
    post: Post, caseworker: User, jorn_case: Sag, client
) -> None:  # type: ignore[no-untyped-def]
    borger = jorn_case.borger
    post.fake.people.add(borger.cpr)
    jorn_case.team.svaradresse = "handicap@viborg.dk"
    jorn_case.team.save()

    brev = send(caseworker, jorn_case)
    brev_dispatch(brev_id=brev.pk)
    brev_dispatch(brev_id=brev.pk)  # a retry, or the sweep: nothing more leaves

    (delivery,) = post.fake.delivered
    assert delivery.message_uuid == str(brev.meddelelse_uuid)
    assert (delivery.channel, delivery.recipient_cpr) == ("Digital Post", borger.cpr)
    assert delivery.pdf == bytes(brev.pdf)
    assert delivery.sender_cvr == CVR
    assert delivery.text("memo:Sender/memo:label") == "Viborg Kommune"
    assert delivery.text("memo:ContentResponsible/memo:label") == jorn_case.team.navn
    assert delivery.text("memo:ContentResponsible/memo:contentResponsibleID") == (
        f"vum-team-{jorn_case.team.slug}"
    )
    assert delivery.text("memo:EMail/memo:emailAddress") == "handicap@viborg.dk"
    assert delivery.text("memo:CaseID/memo:caseID") == f"sag-{jorn_case.pk}"
    assert delivery.text("kle:KLEdata/kle:subjectKey") == KLE
    assert delivery.text("kle:KLEdata/kle:activityFacet") == "G01"
    assert post.calls_to(KOMBI) == 1

    forsendelse = Forsendelse.objects.get(brev=brev)
    assert forsendelse.status == Forsendelse.Status.LEVERET
    assert forsendelse.leveret is not None
    assert timezone.localtime(forsendelse.leveret).date() == date(2026, 6, 3)
    assert forsendelse.reference == str(brev.meddelelse_uuid)
    afgoerelse = Afgoerelse.objects.get(pk=brev.afgoerelse_id)
    assert afgoerelse.klagefrist == calendar.complaint_deadline(date(2026, 6, 3))

    client.force_login(caseworker)
    page = client.get(reverse("sag_detail", args=[jorn_case.pk])).content.decode()
    assert "Leveret i Digital Post 03.06.2026 10:00" in page


def test_the_guardian_gets_the_letter_and_the_citizen_a_copy_as_its_own_message(
    post: Post, caseworker: User, jorn_case: Sag
) -> None:
    borger = jorn_case.borger
    guardian(jorn_case)
    post.fake.people |= {borger.cpr, GUARDIAN}

    brev = send(caseworker, jorn_case)
    brev_dispatch(brev_id=brev.pk)

    (to_guardian,) = post.fake.deliveries_to(GUARDIAN)
    (copy,) = post.fake.deliveries_to(borger.cpr)
    assert to_guardian.message_uuid == str(brev.meddelelse_uuid)
    assert copy.message_uuid != to_guardian.message_uuid
    assert copy.label.startswith("Kopi: ")
    assert to_guardian.recipient_label == "Karen Værge"
    assert set(Forsendelse.objects.filter(brev=brev).values_list("status", flat=True)) == {
        Forsendelse.Status.LEVERET
    }


def test_a_letter_goes_to_whom_it_was_frozen_for_even_if_a_guardian_comes_before_it_leaves(
    post: Post, caseworker: User, jorn_case: Sag
) -> None:
    borger = jorn_case.borger
    post.fake.people |= {borger.cpr, GUARDIAN}
    brev = send(caseworker, jorn_case)  # to the citizen, who holds their own rights
    guardian(jorn_case)  # registered before the outbox sends the letter

    brev_dispatch(brev_id=brev.pk)

    (delivery,) = post.fake.delivered
    assert delivery.recipient_cpr == borger.cpr
    assert delivery.recipient_label == borger.navn
    assert post.fake.deliveries_to(GUARDIAN) == []


# Retries and restarts: one delivery


def test_a_letter_whose_answer_was_lost_is_sent_again_and_delivered_once(
    post: Post, caseworker: User, jorn_case: Sag
) -> None:
    post.fake.people.add(jorn_case.borger.cpr)
    # The first answer comes after the client's timeout (1 s): the letter was delivered but
    # vum does not know; then a 503.
    post.platform.fail_next(KOMBI, Fault(delay=1.5), Fault(status=503))

    brev = send(caseworker, jorn_case)
    brev_dispatch(brev_id=brev.pk)
    time.sleep(1.0)  # the slow first request has now been handled too

    assert [d.message_uuid for d in post.fake.delivered] == [str(brev.meddelelse_uuid)]
    assert Forsendelse.objects.get(brev=brev).status == Forsendelse.Status.LEVERET
    assert post.calls_to(KOMBI) >= 2  # it was sent again


def test_a_worker_that_dies_after_sending_does_not_deliver_the_letter_twice(
    post: Post, caseworker: User, jorn_case: Sag, settings
) -> None:  # type: ignore[no-untyped-def]
    post.fake.people.add(jorn_case.borger.cpr)
    brev = send(caseworker, jorn_case)
    settings.VUM_LETTER_DISPATCHER = "tests.dispatchers.DigitalPostThenWorkerDies"
    with pytest.raises(RuntimeError, match="worker"):
        brev_dispatch(brev_id=brev.pk)
    assert not Forsendelse.objects.filter(brev=brev).exists()  # its transaction never committed
    assert list(pending_letters()) == [brev]

    settings.VUM_LETTER_DISPATCHER = "vum.serviceplatformen.digital_post.DigitalPostDispatcher"
    assert breve_dispatch_pending() == 1  # the next worker's sweep

    assert len(post.fake.delivered) == 1
    assert any("allerede leveret" in reason for reason in post.fake.refused)
    assert Forsendelse.objects.get(brev=brev).status == Forsendelse.Status.LEVERET


def test_digital_post_away_leaves_the_letter_in_the_outbox_for_the_sweep(
    post: Post, caseworker: User, jorn_case: Sag
) -> None:
    post.fake.people.add(jorn_case.borger.cpr)
    post.platform.fail_next(KOMBI, *[Fault(status=503)] * 3)
    brev = send(caseworker, jorn_case)

    with pytest.raises(ServiceplatformenError) as away:
        brev_dispatch(brev_id=brev.pk)
    assert away.value.retryable
    post.platform.fail_next(FORESPOERG, Fault(malformed=True))
    assert breve_dispatch_pending() == 0  # the exemption query gave an unreadable answer
    assert not Forsendelse.objects.filter(brev=brev).exists()
    assert Afgoerelse.objects.get(pk=brev.afgoerelse_id).klagefrist is None

    assert breve_dispatch_pending() == 1
    assert len(post.fake.delivered) == 1


# Exempt from Digital Post


def test_an_exempt_citizen_gets_physical_post_through_the_same_service(
    post: Post, caseworker: User, jorn_case: Sag
) -> None:
    borger = jorn_case.borger
    borger.adresse, borger.postnummer, borger.by = "Søndergade 14B, 1. tv", "8800", "Viborg"
    borger.save()
    post.fake.people.add(borger.cpr)
    post.fake.exempt.add(borger.cpr)

    brev = send(caseworker, jorn_case)
    brev_dispatch(brev_id=brev.pk)

    (delivery,) = post.fake.delivered
    assert delivery.channel == "Fysisk Post"
    assert delivery.postal_address == f"{borger.navn}, Søndergade 14B, 8800"
    forsendelse = Forsendelse.objects.get(brev=brev)
    assert (forsendelse.status, forsendelse.kanal) == (
        Forsendelse.Status.FYSISK_POST,
        "Fysisk Post",
    )
    assert forsendelse.leveret is None
    # No receipt: the complaint deadline runs from the dispatch, as for any letter by post.
    assert Afgoerelse.objects.get(pk=brev.afgoerelse_id).klagefrist == (
        calendar.complaint_deadline(date(2026, 6, 3))
    )


def test_an_exempt_guardian_without_a_full_postal_address_is_a_task_not_a_letter(
    post: Post, caseworker: User, jorn_case: Sag
) -> None:
    relation = guardian(jorn_case)
    relation.adresse = "Skovvej"  # no house number, no postcode
    relation.save()
    post.fake.people |= {jorn_case.borger.cpr, GUARDIAN}
    post.fake.exempt.add(GUARDIAN)

    brev = send(caseworker, jorn_case)
    brev_dispatch(brev_id=brev.pk)

    to_guardian = Forsendelse.objects.get(brev=brev, modtager=Forsendelse.Modtager.ADRESSAT)
    assert to_guardian.status == Forsendelse.Status.FEJLET
    assert "fuld postadresse" in to_guardian.fejl
    assert post.fake.deliveries_to(GUARDIAN) == []

    relation.adresse = "Skovvej 3, 8800 Viborg"
    relation.save()
    forsendelse_resend(actor=caseworker, forsendelse=to_guardian)
    brev_dispatch(brev_id=brev.pk)
    (delivery,) = post.fake.deliveries_to(GUARDIAN)
    assert delivery.postal_address == "Karen Værge, Skovvej 3, 8800"


def test_an_exempt_citizen_with_address_protection_gets_no_physical_post_but_a_task(
    post: Post, caseworker: User, jorn_case: Sag
) -> None:
    borger = jorn_case.borger
    borger.adressebeskyttet = True
    borger.save()
    post.fake.people.add(borger.cpr)
    post.fake.exempt.add(borger.cpr)

    brev = send(caseworker, jorn_case)
    brev_dispatch(brev_id=brev.pk)

    assert post.fake.delivered == []
    assert post.calls_to(KOMBI) == 0
    forsendelse = Forsendelse.objects.get(brev=brev)
    assert forsendelse.status == Forsendelse.Status.FEJLET
    assert "adressebeskyttelse" in forsendelse.fejl
    assert task(jorn_case).ansvarlig == caseworker
    assert Notifikation.objects.filter(modtager=caseworker, titel__contains="ikke leveret").exists()
    assert Afgoerelse.objects.get(pk=brev.afgoerelse_id).klagefrist is None
    brev_dispatch(brev_id=brev.pk)  # the sweep leaves it to the caseworker
    assert post.calls_to(FORESPOERG) == 1


def test_a_protected_citizen_gets_no_letter_by_file_or_e_mail_and_no_address_in_its_header(
    caseworker: User, jorn_case: Sag, settings
) -> None:  # type: ignore[no-untyped-def]
    borger = jorn_case.borger
    borger.adresse = "Hemmeligvej 7"
    borger.adressebeskyttet = True
    borger.save()

    brev = send(caseworker, jorn_case)
    brev_dispatch(brev_id=brev.pk)

    assert "Hemmeligvej" not in pdf_text(bytes(brev.pdf))
    assert borger.navn in pdf_text(bytes(brev.pdf))
    assert Forsendelse.objects.get(brev=brev).status == Forsendelse.Status.FEJLET
    assert "kun sendes med Digital Post" in task(jorn_case).regel
    assert not list(Path(settings.VUM_LETTER_DIR).glob("*.pdf"))


# Refused: the caseworker acts, then sends again


def test_a_guardian_without_a_cpr_number_is_a_task_and_the_letter_goes_when_sent_again(
    post: Post, caseworker: User, jorn_case: Sag
) -> None:
    relation = guardian(jorn_case, cpr="")
    post.fake.people |= {jorn_case.borger.cpr, GUARDIAN}

    brev = send(caseworker, jorn_case)
    brev_dispatch(brev_id=brev.pk)
    failed = Forsendelse.objects.get(brev=brev, modtager=Forsendelse.Modtager.ADRESSAT)
    assert failed.status == Forsendelse.Status.FEJLET
    assert "CPR-nummeret på Karen Værge" in failed.fejl
    assert task(jorn_case)
    forsendelse_resend(actor=caseworker, forsendelse=failed)  # nothing has changed
    again = brev_dispatch(brev_id=brev.pk)  # the sweep
    assert again is not None
    assert again.status == Forsendelse.Status.FEJLET
    assert task(jorn_case)  # still the one task
    failed = again

    relation.cpr = GUARDIAN
    relation.save()
    request = forsendelse_resend(actor=caseworker, forsendelse=failed)
    assert request.status == Forsendelse.Status.SENDES_IGEN
    assert request.modtager_cpr == GUARDIAN  # the same guardian the letter was frozen for
    forsendelse = brev_dispatch(brev_id=brev.pk)

    assert forsendelse is not None
    assert forsendelse.status == Forsendelse.Status.LEVERET
    assert [d.recipient_cpr for d in post.fake.delivered].count(GUARDIAN) == 1
    assert not Frist.objects.open().filter(art=Frist.Art.BREV_IKKE_LEVERET).exists()
    assert Afgoerelse.objects.get(pk=brev.afgoerelse_id).klagefrist is not None
    with pytest.raises(ValidationError, match="kun sendes igen"):
        forsendelse_resend(actor=caseworker, forsendelse=failed)


def test_a_recipient_digital_post_refuses_is_a_task_with_digital_posts_reason(
    post: Post, caseworker: User, jorn_case: Sag, client
) -> None:  # type: ignore[no-untyped-def]
    brev = send(caseworker, jorn_case)  # the citizen is not in the fake's CPR
    brev_dispatch(brev_id=brev.pk)

    forsendelse = Forsendelse.objects.get(brev=brev)
    assert forsendelse.status == Forsendelse.Status.FEJLET
    assert "modtageren findes ikke i CPR" in forsendelse.fejl
    client.force_login(caseworker)
    page = client.get(reverse("sag_detail", args=[jorn_case.pk])).content.decode()
    assert "Ikke leveret" in page
    assert "modtageren findes ikke i CPR" in page

    post.fake.people.add(jorn_case.borger.cpr)  # the caseworker has seen to it
    url = reverse("forsendelse_resend", args=[jorn_case.pk, forsendelse.pk])
    assert url in page
    answer = client.post(url, follow=True)
    assert "Brevet sendes igen" in answer.content.decode()
    assert "Sendes igen" in answer.content.decode()
    assert breve_dispatch_pending() == 1  # the next sweep
    page = client.get(reverse("sag_detail", args=[jorn_case.pk])).content.decode()
    assert "Leveret i Digital Post 03.06.2026" in page
    assert len(post.fake.delivered) == 1
    client.force_login(UserFactory())  # a caseworker of another team
    assert client.post(url).status_code == 404


# The fake checks the MeMo model


def test_the_fake_refuses_a_message_that_breaks_the_memo_model(post: Post) -> None:
    client = ServiceplatformenClient(post.config)
    body = b"""<?xml version='1.0' encoding='utf-8'?>
<kombi_request><KombiValgKode>Digital Post</KombiValgKode>
<memo:Message xmlns:memo="https://DigitalPost.dk/MeMo-1" memoVersion="1.2" memoSchVersion="1.2.0">
<memo:MessageHeader><memo:messageType>DIGITALPOST</memo:messageType>
<memo:messageUUID>not-a-uuid</memo:messageUUID></memo:MessageHeader></memo:Message>
</kombi_request>"""
    with pytest.raises(ServiceplatformenError) as refused:
        client.call(
            KOMBI_POST_AFSEND,
            "KombiPostAfsend",
            path="/kombi",
            idempotent=False,
            headers={
                "Content-Type": "application/xml",
                "X-TransaktionsId": "5f0b1c1e-8d2e-4c6a-9a51-2d7c1f8e9b10",
                "X-TransaktionsTid": "2026-06-03T08:00:00Z",
            },
            data=body,
        )
    assert refused.value.status == 400
    assert "følger ikke modellen" in refused.value.detail


def test_a_token_digital_post_no_longer_takes_is_renewed_and_the_letter_delivered(
    post: Post, caseworker: User, jorn_case: Sag
) -> None:
    post.fake.people.add(jorn_case.borger.cpr)
    brev = send(caseworker, jorn_case)
    post.platform.expire_tokens()  # the platform restarted: every token handed out is void
    DigitalPostDispatcher().exempt(jorn_case.borger.cpr)  # fetches the first token
    post.platform.expire_tokens()

    brev_dispatch(brev_id=brev.pk)

    assert len(post.fake.delivered) == 1
    assert [c.status for c in post.platform.calls if c.endpoint == FORESPOERG][-2:] == [401, 200]


def test_no_cpr_number_reaches_the_log_when_digital_post_cannot_be_reached(
    post: Post, caseworker: User, jorn_case: Sag, caplog
) -> None:  # type: ignore[no-untyped-def]
    cpr = jorn_case.borger.cpr
    post.fake.people.add(cpr)
    brev = send(caseworker, jorn_case)
    DigitalPostDispatcher().exempt(cpr)  # a token in hand
    post.platform.stop()  # then the platform is gone: the connection is refused

    with caplog.at_level(logging.INFO):
        assert breve_dispatch_pending() == 0

    assert "kunne ikke sendes" in caplog.text
    assert "ingen forbindelse" in caplog.text
    assert cpr not in caplog.text  # PostForespørg has it in its query string
    assert not Forsendelse.objects.filter(brev=brev).exists()


def test_the_sweep_stops_at_the_first_letter_digital_post_cannot_take_now(
    post: Post, caseworker: User, jorn_case: Sag, settings
) -> None:  # type: ignore[no-untyped-def]
    post.fake.people.add(jorn_case.borger.cpr)
    settings.VUM_SERVICEPLATFORMEN_ATTEMPTS = 1
    first = send(caseworker, jorn_case)
    second = send(caseworker, jorn_case, retter=first)  # a correction: another letter
    post.platform.fail_next(FORESPOERG, Fault(status=503))

    assert breve_dispatch_pending() == 0  # the first was away: the second not tried yet
    assert post.calls_to(FORESPOERG) == 1

    assert breve_dispatch_pending() == 2
    assert {d.message_uuid for d in post.fake.delivered} == {
        str(first.meddelelse_uuid),
        str(second.meddelelse_uuid),
    }


def test_a_letter_the_sweep_cannot_get_past_is_told_to_the_administrators_once_an_hour(
    post: Post, caseworker: User, jorn_case: Sag, settings
) -> None:  # type: ignore[no-untyped-def]
    """Refused by the platform (here 403: the service agreement), not by Digital Post for this
    recipient: no caseworker task, as it is no one letter's fault, but the outbox stops."""
    administrator = UserFactory(role=Role.ADMINISTRATOR, email="drift@kommune.dk")
    post.fake.people.add(jorn_case.borger.cpr)
    settings.VUM_SERVICEPLATFORMEN_ATTEMPTS = 1
    brev = send(caseworker, jorn_case)
    post.platform.fail_next(KOMBI, Fault(status=403), Fault(status=403), Fault(status=403))

    assert breve_dispatch_pending() == 0
    assert not Notifikation.objects.filter(modtager=administrator).exists()  # not long yet

    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        assert breve_dispatch_pending() == 0
        assert breve_dispatch_pending() == 0  # the same hour: told once

    told = Notifikation.objects.get(modtager=administrator)
    assert told.titel == "Breve venter på at blive sendt"
    assert told.tekst.startswith("1 brev er ikke sendt; det ældste har ventet siden 3. juni")
    assert "Seneste fejl: Kommunens serviceaftale giver ikke" in told.tekst
    assert jorn_case.borger.cpr not in told.tekst
    assert jorn_case.borger.navn not in told.tekst
    assert not Frist.objects.open().filter(art=Frist.Art.BREV_IKKE_LEVERET).exists()
    assert list(pending_letters()) == [brev]

    assert breve_dispatch_pending() == 1  # the platform takes it again
    assert list(pending_letters()) == []
