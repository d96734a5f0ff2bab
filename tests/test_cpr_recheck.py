"""What vum holds of a citizen kept as fresh as CPR: the nightly re-check of the citizens with an
open case, and the reading of a letter's citizen as the letter leaves, against the fake
Serviceplatformen with a fake CPR (tests/peers/cpr.py). A protection, a death, a guardian or a
number CPR does not know reaches the case's caseworker as a notification."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from assessment.models import Forsendelse
from assessment.services.forsendelse import brev_dispatch
from cases.lifecycle import Fase
from cases.models import Borger, Relation, Sag
from cases.services.borger import CprRecheck, borgere_cpr_recheck, borgere_cpr_recheck_due
from cases.tasks import recheck_cpr
from tests import test_afgoerelse as jorn
from tests import test_cpr_lookup as registry
from tests.factories import BorgerFactory, SagFactory
from tests.peers.serviceplatformen import Fault
from tests.test_cpr_lookup import ANNA, DOED, PEOPLE, SKJULT, UKENDT, UMYNDIG, Cpr
from tests.test_digital_post import send
from vum.accounts.models import User
from vum.audit.models import AuditEvent
from vum.notifications.models import Notifikation
from vum.serviceplatformen.cpr import SF1520

pytestmark = [pytest.mark.django_db, pytest.mark.now("2026-11-18 03:00", tick=False)]
cpr = registry.cpr
lookup_on = registry.lookup_on


def citizen(
    number: str, caseworker: User, *, fase: str = Fase.SAGSOPLYSNING, fornavn: str = ""
) -> Borger:
    """A citizen typed in (not verified in CPR) by the name CPR has for the number, with a case
    of `caseworker`'s in `fase`."""
    person = PEOPLE.get(number)
    names = {"fornavn": fornavn or person.fornavn, "efternavn": person.efternavn} if person else {}
    borger = BorgerFactory(
        cpr=number, adresse="Gammelvej 1", postnummer="8900", by="Randers C", **names
    )
    Sag.objects.filter(pk=SagFactory(borger=borger, sagsbehandler=caseworker).pk).update(fase=fase)
    return borger


def notifications(user: User) -> list[str]:
    """What the user was told, by cause; the notification itself says neither who nor what."""
    told = Notifikation.objects.filter(modtager=user).order_by("id")
    for notifikation in told:
        assert notifikation.titel.startswith("Tjek borgerens oplysninger fra CPR, sag ")
        assert notifikation.link.startswith("/borgere/")
    return [notifikation.kilde.split(":")[0] for notifikation in told]


# The nightly re-check


def test_the_night_reads_again_only_citizens_with_an_open_case_and_old_facts(
    lookup_on: Cpr, caseworker: User
) -> None:
    typed = citizen(ANNA, caseworker)
    citizen(UMYNDIG, caseworker, fase=Fase.AFSLUTTET)  # its case is closed
    fresh = citizen(SKJULT, caseworker)
    Borger.objects.filter(pk=fresh.pk).update(cpr_opslag=timezone.now() - timedelta(hours=11))
    old = citizen(DOED, caseworker)
    Borger.objects.filter(pk=old.pk).update(cpr_opslag=timezone.now() - timedelta(hours=13))

    assert list(borgere_cpr_recheck_due()) == [typed, old]
    assert recheck_cpr() == 2

    assert lookup_on.fake.asked == [ANNA, DOED]
    typed.refresh_from_db()
    assert (typed.fornavn, typed.efternavn, typed.adresse) == (
        "Anna Marie",
        "Holm",
        "Vestergade 12, 2. th",
    )
    assert typed.cpr_opslag == timezone.now()
    event = AuditEvent.objects.get(borger_id=typed.pk, summary="Borger opdateret fra CPR")
    assert event.actor is None
    # Read now, and the dead are not read again: the second night finds nothing due.
    assert list(borgere_cpr_recheck_due()) == []
    assert recheck_cpr() == 0


def test_a_protection_found_at_night_removes_the_address_and_tells_the_caseworker(
    lookup_on: Cpr, caseworker: User
) -> None:
    borger = citizen(SKJULT, caseworker)

    borgere_cpr_recheck()

    borger.refresh_from_db()
    assert borger.adressebeskyttet
    assert (borger.adresse, borger.postnummer, borger.by) == ("", "", "")
    assert notifications(caseworker) == ["cpr-beskyttet"]
    # Read again the next night, unchanged: nothing new to tell.
    Borger.objects.filter(pk=borger.pk).update(cpr_opslag=timezone.now() - timedelta(days=1))
    borgere_cpr_recheck()
    assert len(notifications(caseworker)) == 1
    assert AuditEvent.objects.filter(
        borger_id=borger.pk, summary="Borger tjekket i CPR (uændret)"
    ).exists()


def test_a_death_and_a_guardian_found_at_night_are_told_to_the_caseworker(
    lookup_on: Cpr, caseworker: User
) -> None:
    dead = citizen(DOED, caseworker)
    ward = citizen(UMYNDIG, caseworker)

    borgere_cpr_recheck()

    dead.refresh_from_db()
    assert dead.doedsdato is not None
    guardian = Relation.objects.get(borger=ward, fra_cpr=True)
    assert (guardian.navn, guardian.cpr) == ("Birthe Dahl", "1206604321")
    assert notifications(caseworker) == ["cpr-doed", "cpr-vaerge"]
    for told in Notifikation.objects.filter(modtager=caseworker):
        assert "Karl" not in told.titel + told.tekst
        assert "Dahl" not in told.titel + told.tekst


def test_a_number_cpr_does_not_know_is_told_and_the_night_goes_on(
    lookup_on: Cpr, caseworker: User
) -> None:
    unknown = citizen(UKENDT, caseworker)
    anna = citizen(ANNA, caseworker)

    batch = borgere_cpr_recheck()

    assert (batch.checked, batch.stopped) == (2, False)
    assert notifications(caseworker) == ["cpr-ukendt"]
    anna.refresh_from_db()
    assert anna.cpr_opslag is not None
    unknown.refresh_from_db()
    assert unknown.cpr_opslag is None  # still not verified
    # The next night reads it again, tells no one twice, and goes on.
    Borger.objects.filter(pk=anna.pk).update(cpr_opslag=timezone.now() - timedelta(days=1))
    assert borgere_cpr_recheck() == CprRecheck(checked=2, last_id=anna.pk, stopped=False)
    assert notifications(caseworker) == ["cpr-ukendt"]


def test_an_answer_that_cannot_be_read_passes_that_citizen_over(
    lookup_on: Cpr, caseworker: User
) -> None:
    first, second = citizen(SKJULT, caseworker), citizen(ANNA, caseworker)
    lookup_on.platform.fail_next(SF1520.path, Fault(malformed=True))

    batch = borgere_cpr_recheck()

    assert (batch.checked, batch.stopped) == (2, False)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.cpr_opslag is None  # not read: due again
    assert second.cpr_opslag is not None


def test_a_typed_citizen_whose_number_cpr_gives_another_name_is_not_overwritten(
    lookup_on: Cpr, caseworker: User
) -> None:
    """A digit typed wrong: the number is someone else's, and their facts are not taken."""
    typed = citizen(ANNA, caseworker)
    Borger.objects.filter(pk=typed.pk).update(fornavn="Peter", efternavn="Holm")
    middle_name_left_out = citizen(UMYNDIG, caseworker, fornavn="Jonas")

    borgere_cpr_recheck()

    typed.refresh_from_db()
    assert (typed.fornavn, typed.adresse, typed.cpr_opslag) == ("Peter", "Gammelvej 1", None)
    assert notifications(caseworker)[0] == "cpr-andet-navn"
    middle_name_left_out.refresh_from_db()
    assert middle_name_left_out.cpr_opslag is not None


def test_a_night_cpr_cannot_answer_stops_and_changes_nothing(
    lookup_on: Cpr, caseworker: User
) -> None:
    first = citizen(SKJULT, caseworker)
    citizen(ANNA, caseworker)
    lookup_on.platform.fail_next(SF1520.path, *[Fault(status=503)] * 2)

    batch = borgere_cpr_recheck()

    assert (batch.checked, batch.stopped) == (0, True)
    first.refresh_from_db()
    assert (first.adressebeskyttet, first.adresse) == (False, "Gammelvej 1")
    assert lookup_on.fake.asked == []  # the platform refused before CPR was asked
    assert len(borgere_cpr_recheck_due()) == 2  # both wait for the next run


def test_batches_go_on_from_where_the_last_ended(lookup_on: Cpr, caseworker: User) -> None:
    first, second = citizen(ANNA, caseworker), citizen(SKJULT, caseworker)

    batch = borgere_cpr_recheck(limit=1)
    assert (batch.checked, batch.last_id) == (1, first.pk)
    assert lookup_on.fake.asked == [ANNA]

    borgere_cpr_recheck(after_id=batch.last_id, limit=1)
    assert lookup_on.fake.asked == [ANNA, SKJULT]
    second.refresh_from_db()
    assert second.adressebeskyttet


def test_with_the_lookup_off_the_night_reads_nobody(caseworker: User) -> None:
    citizen(ANNA, caseworker)

    assert recheck_cpr() == 0


# As a letter leaves

catalog = jorn.catalog
jorn_case = jorn.jorn_case


@pytest.mark.now("2026-06-03 10:00")
def test_a_letter_reads_its_citizen_from_cpr_and_a_new_protection_holds_for_it(
    lookup_on: Cpr, caseworker: User, jorn_case: Sag, settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Protected since the night's re-check: the file dispatcher may not send the letter."""
    Borger.objects.filter(pk=jorn_case.borger_id).update(
        cpr=SKJULT, cpr_opslag=timezone.now() - timedelta(days=1)
    )
    jorn_case.refresh_from_db()

    brev = send(caseworker, jorn_case)
    brev_dispatch(brev_id=brev.pk)

    assert lookup_on.fake.asked == [SKJULT]
    forsendelse = Forsendelse.objects.get(brev=brev)
    assert forsendelse.status == Forsendelse.Status.FEJLET
    assert "kun sendes med Digital Post" in forsendelse.fejl
    assert not list(Path(settings.VUM_LETTER_DIR).glob("*.pdf"))
    assert Borger.objects.get(pk=jorn_case.borger_id).adresse == ""


@pytest.mark.now("2026-06-03 10:00")
def test_a_letter_goes_on_what_vum_holds_when_cpr_cannot_answer(
    lookup_on: Cpr, caseworker: User, jorn_case: Sag, settings
) -> None:  # type: ignore[no-untyped-def]
    Borger.objects.filter(pk=jorn_case.borger_id).update(cpr=ANNA, cpr_opslag=None)
    jorn_case.refresh_from_db()
    lookup_on.platform.fail_next(SF1520.path, *[Fault(status=503)] * 2)

    brev = send(caseworker, jorn_case)
    brev_dispatch(brev_id=brev.pk)

    assert Forsendelse.objects.get(brev=brev).status == Forsendelse.Status.SENDT
    assert len(list(Path(settings.VUM_LETTER_DIR).glob("*.pdf"))) == 1
    assert Borger.objects.get(pk=jorn_case.borger_id).cpr_opslag is None


@pytest.mark.now("2026-06-03 10:00")
def test_a_letter_whose_citizen_was_read_tonight_asks_cpr_nothing(
    lookup_on: Cpr, caseworker: User, jorn_case: Sag
) -> None:
    Borger.objects.filter(pk=jorn_case.borger_id).update(
        cpr=ANNA, cpr_opslag=timezone.now() - timedelta(hours=7)
    )
    jorn_case.refresh_from_db()

    brev_dispatch(brev_id=send(caseworker, jorn_case).pk)

    assert lookup_on.fake.asked == []
