"""The rules of law held where the act happens (issue 17), at the service level, with the ways
around them that a reviewer found. Each section names its rule and its legal source; the same
rules through the API are in tests/api/test_legal_rules_api.py.

Jørn's case (tests/test_afgoerelse.py) is the case in afgørelse; its instant is his decision's.
"""

import threading
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from assessment.models import Brev, Forsendelse, Partshoering
from assessment.services.afgoerelse import afgoerelse_send
from assessment.services.forsendelse import brev_dispatch
from assessment.services.partshoering import (
    minimum_answer_date,
    partshoering_answer,
    partshoering_send,
)
from cases.models import Relation, Sag
from tests import test_afgoerelse as jorn
from tests.clock import local_instant
from tests.factories import RelationFactory
from tests.test_afgoerelse import jorn_decision
from vum import calendar
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_move

pytestmark = [pytest.mark.django_db, pytest.mark.now("2026-06-03 10:00")]
catalog = jorn.catalog
jorn_case = jorn.jorn_case


def hearing(caseworker, sag: Sag, svarfrist: date | None = None) -> Partshoering:  # type: ignore[no-untyped-def]
    return partshoering_send(
        actor=caseworker,
        sag=sag,
        hvad_hoeres="Statusnotat fra Bostedet Møllebo af 1. juni.",
        modtager=Partshoering.Modtager.BORGER,
        svarfrist=svarfrist or minimum_answer_date(),
    )


# 1. No decision while a partshøring is open (forvaltningslovens § 19)


def test_a_hearing_sent_in_afgoerelse_stops_the_decision_being_made(
    caseworker, jorn_case: Sag
) -> None:
    hoering = hearing(caseworker, jorn_case)
    with pytest.raises(ValidationError, match="afventer svar"):
        jorn_decision(caseworker, jorn_case)
    partshoering_answer(
        actor=caseworker, partshoering=hoering, svar="Jeg er uenig.", modtaget=date(2026, 6, 3)
    )
    assert jorn_decision(caseworker, jorn_case).pk


def test_a_hearing_sent_after_the_decision_stops_its_letter(caseworker, jorn_case: Sag) -> None:
    afgoerelse = jorn_decision(caseworker, jorn_case)
    hearing(caseworker, jorn_case)
    with pytest.raises(ValidationError, match="afventer svar"):
        afgoerelse_send(actor=caseworker, afgoerelse=afgoerelse, tekster={})
    assert not Brev.objects.exists()


def test_the_hearing_blocks_until_its_moved_deadline_has_passed(caseworker, jorn_case: Sag) -> None:
    hoering = hearing(caseworker, jorn_case)  # 17 June 2026
    assert hoering.svarfrist == date(2026, 6, 17)
    frist = Frist.objects.get(pk=hoering.frist_id)
    frist_move(
        frist=frist, til=calendar.end_of_day(date(2026, 6, 24)), begrundelse="Borgeren bad om tid"
    )
    past_the_letters_date = time_machine.travel(local_instant("2026-06-18 09:00"))
    with past_the_letters_date, pytest.raises(ValidationError, match=r"frist 24\.06\.2026"):
        jorn_decision(caseworker, jorn_case)
    with time_machine.travel(local_instant("2026-06-25 09:00")):
        assert jorn_decision(caseworker, jorn_case).pk


@pytest.mark.now("2026-12-08 10:00")
def test_a_deadline_on_a_closed_day_runs_to_the_end_of_the_next_working_day(
    caseworker, jorn_case: Sag
) -> None:
    hoering = hearing(caseworker, jorn_case)
    # Moved to juleaftensdag, a closed day: it runs until 28 December (the 25th-27th are closed).
    frist_move(
        frist=Frist.objects.get(pk=hoering.frist_id),
        til=calendar.end_of_day(date(2026, 12, 24)),
        begrundelse="Borgeren bad om tid",
    )
    hoering.refresh_from_db()
    assert hoering.answer_deadline_day() == date(2026, 12, 28)
    last_minute = time_machine.travel(local_instant("2026-12-28 23:59"))
    with last_minute, pytest.raises(ValidationError, match="afventer svar"):
        jorn_decision(caseworker, jorn_case)
    with time_machine.travel(local_instant("2026-12-29 00:01")):
        assert jorn_decision(caseworker, jorn_case).pk


# 2. A hearing's answer deadline ends on a working day (forvaltningslovens § 19; 14 days)


@pytest.mark.now("2026-12-10 10:00")
def test_the_earliest_answer_deadline_is_moved_to_a_working_day(caseworker, jorn_case) -> None:
    # 14 days on is juleaftensdag, a closed day; the 25th to the 27th are too.
    assert minimum_answer_date() == date(2026, 12, 28)
    with pytest.raises(ValidationError, match=r"tidligst 28\.12\.2026"):
        hearing(caseworker, jorn_case, svarfrist=date(2026, 12, 24))
    assert hearing(caseworker, jorn_case).svarfrist == date(2026, 12, 28)


def test_an_answer_deadline_on_a_closed_day_is_refused(caseworker, jorn_case: Sag) -> None:
    with pytest.raises(ValidationError, match=r"lukkedag\. Vælg fx 22\.06\.2026"):
        hearing(caseworker, jorn_case, svarfrist=date(2026, 6, 20))  # a Saturday
    assert not Partshoering.objects.exists()


# 12. One decision letter (exactly once)


def test_the_database_holds_one_letter_per_decision(caseworker, jorn_case: Sag) -> None:
    brev = afgoerelse_send(
        actor=caseworker, afgoerelse=jorn_decision(caseworker, jorn_case), tekster={}
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Brev.objects.create(
            sag=jorn_case,
            art=Brev.Art.AFGOERELSE,
            afgoerelse=brev.afgoerelse,
            modtager_navn="x",
            pdf=b"%PDF",
            sha256="0" * 64,
            oprettet_af=caseworker,
        )


@pytest.mark.django_db(transaction=True)
def test_two_sends_at_the_same_instant_make_one_letter(caseworker, jorn_case: Sag) -> None:
    afgoerelse = jorn_decision(caseworker, jorn_case)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def send() -> None:
        try:
            start.wait()
            afgoerelse_send(actor=caseworker, afgoerelse=afgoerelse, tekster={})
            outcomes.append("sendt")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == [
        "Afgørelsesbrevet er sendt; en rettelse er et nyt brev.",
        "sendt",
    ]
    assert Brev.objects.filter(afgoerelse=afgoerelse).count() == 1


# 13. The copy to the citizen is sent, as its own dispatch, once


def test_a_letter_to_the_guardian_is_sent_to_both_once(
    caseworker, jorn_case: Sag, settings
) -> None:  # type: ignore[no-untyped-def]
    RelationFactory(
        borger=jorn_case.borger,
        type=Relation.Type.VAERGE,
        vaergemaalsform="par5",
        navn="Karen Værge",
        varetager_partsrettigheder=True,
    )
    brev = afgoerelse_send(
        actor=caseworker, afgoerelse=jorn_decision(caseworker, jorn_case), tekster={}
    )
    brev_dispatch(brev_id=brev.pk)
    brev_dispatch(brev_id=brev.pk)  # a retry sends nothing again

    sent = {f.modtager: f.modtager_navn for f in Forsendelse.objects.filter(brev=brev)}
    assert sent == {
        Forsendelse.Modtager.ADRESSAT: "Karen Værge",
        Forsendelse.Modtager.KOPI_TIL_BORGER: jorn_case.borger.navn,
    }
    folder = Path(settings.VUM_LETTER_DIR)
    assert sorted(p.name for p in folder.glob("*.pdf")) == [
        f"brev-{brev.pk}-kopi.pdf",
        f"brev-{brev.pk}.pdf",
    ]


def test_a_copy_that_cannot_go_is_sent_by_the_retry_and_the_letter_not_again(
    caseworker, jorn_case: Sag, settings, mailoutbox
) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_LETTER_DISPATCHER = "vum.dispatch.EmailDispatcher"
    RelationFactory(
        borger=jorn_case.borger,
        type=Relation.Type.VAERGE,
        vaergemaalsform="par5",
        navn="Karen Værge",
        email="karen@example.dk",
        varetager_partsrettigheder=True,
    )
    borger = jorn_case.borger
    borger.email = ""
    borger.save()
    brev = afgoerelse_send(
        actor=caseworker, afgoerelse=jorn_decision(caseworker, jorn_case), tekster={}
    )
    with pytest.raises(ValueError, match="ingen e-mailadresse"):
        brev_dispatch(brev_id=brev.pk)
    assert [m.to for m in mailoutbox] == [["karen@example.dk"]]
    assert Forsendelse.objects.filter(brev=brev).count() == 1  # the letter's dispatch is kept

    borger.email = "joern@example.dk"
    borger.save()
    brev_dispatch(brev_id=brev.pk)
    assert [m.to for m in mailoutbox] == [["karen@example.dk"], ["joern@example.dk"]]
    assert mailoutbox[1].subject.startswith("Kopi: ")
    assert Forsendelse.objects.filter(brev=brev).count() == 2
