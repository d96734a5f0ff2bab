"""The rules of law held where the act happens (issue 17), at the service level, with the ways
around them that a reviewer found. Each section names its rule and its legal source; the same
rules through the API are in tests/api/test_legal_rules_api.py.

Jørn's case (tests/test_afgoerelse.py) is the case in afgørelse; its instant is his decision's.
"""

import json
import re
import threading
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from assessment.models import Afgoerelse, AfgoerelsesResultat, Brev, Forsendelse, Partshoering
from assessment.services.afgoerelse import Resultatlinje, afgoerelse_create, afgoerelse_send
from assessment.services.forsendelse import brev_dispatch, forsendelse_resend
from assessment.services.partshoering import (
    minimum_answer_date,
    partshoering_answer,
    partshoering_send,
)
from assessment.varsel import paragraphs
from cases.models import Relation, Sag
from orders import ledsagelse
from orders.services.ledsagelse import ledsagetimer_register
from tests import test_afgoerelse as jorn
from tests.clock import local_instant
from tests.factories import RelationFactory
from tests.pdf import pdf_text
from tests.test_afgoerelse import jorn_decision, ydelse
from tests.test_processing_deadline import open_case, processing_deadline
from vum import calendar
from vum.audit.models import AuditEvent
from vum.catalog.loading import (
    NO_DEADLINE_KEY,
    NO_DEADLINE_NOTE,
    CatalogFileError,
    default_directory,
    load_all,
    load_file,
)
from vum.catalog.models import Ansoegningstype, KommunalYdelse
from vum.catalog.selectors import processing_deadline_missing, processing_deadline_rule
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_move
from vum.notifications.models import Notifikation

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


def test_a_hearing_deadline_cannot_be_moved_earlier_than_the_letter_gave(
    caseworker, jorn_case: Sag
) -> None:
    hoering = hearing(caseworker, jorn_case)  # sent 3 June, to answer by 17 June
    frist = Frist.objects.get(pk=hoering.frist_id)
    with pytest.raises(ValidationError, match=r"kan kun forlænges.*frist til 17\.06\.2026"):
        frist_move(frist=frist, til=calendar.end_of_day(date(2026, 6, 4)), begrundelse="Fejl")
    with pytest.raises(ValidationError, match="kan kun forlænges"):  # earlier on its last day
        frist_move(frist=frist, til=local_instant("2026-06-17 12:00"), begrundelse="Kortere dag")
    frist.refresh_from_db()
    assert frist.frist == calendar.end_of_day(date(2026, 6, 17))
    assert not frist.flytninger.exists()


def test_a_deadline_moved_earlier_behind_the_services_back_does_not_open_the_way(
    caseworker, jorn_case: Sag
) -> None:
    # The reviewer's case: sent 3 June to answer by 17 June, its Frist set to 4 June (in the
    # admin, say); on 5 June the guard still reads the letter's 17 June.
    hoering = hearing(caseworker, jorn_case)
    Frist.objects.filter(pk=hoering.frist_id).update(frist=calendar.end_of_day(date(2026, 6, 4)))
    hoering.refresh_from_db()
    assert hoering.answer_deadline_day() == date(2026, 6, 17)
    on_the_5th = time_machine.travel(local_instant("2026-06-05 10:00"))
    with on_the_5th, pytest.raises(ValidationError, match=r"frist 17\.06\.2026"):
        jorn_decision(caseworker, jorn_case)
    with time_machine.travel(local_instant("2026-06-18 09:00")):
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


def test_a_copy_that_cannot_go_is_a_task_and_goes_when_sent_again_the_letter_not_again(
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
    brev_dispatch(brev_id=brev.pk)
    assert [m.to for m in mailoutbox] == [["karen@example.dk"]]
    copy = Forsendelse.objects.get(brev=brev, modtager=Forsendelse.Modtager.KOPI_TIL_BORGER)
    assert copy.status == Forsendelse.Status.FEJLET
    assert "ingen e-mailadresse" in copy.fejl
    task = Frist.objects.open().get(sag=jorn_case, art=Frist.Art.BREV_IKKE_LEVERET)
    brev_dispatch(brev_id=brev.pk)  # the sweep does not try a refused copy again
    assert len(mailoutbox) == 1

    borger.email = "joern@example.dk"
    borger.save()
    forsendelse_resend(actor=caseworker, forsendelse=copy)
    brev_dispatch(brev_id=brev.pk)  # the sweep
    assert [m.to for m in mailoutbox] == [["karen@example.dk"], ["joern@example.dk"]]
    assert mailoutbox[1].subject.startswith("Kopi: ")
    assert list(Forsendelse.objects.filter(brev=brev).values_list("status", flat=True)) == [
        "sendt",  # to Karen
        "fejlet",  # the copy, without an e-mail address
        "sendes_igen",  # the caseworker's request
        "sendt",  # the copy
    ]
    task.refresh_from_db()
    assert task.status == Frist.Status.OVERHOLDT


# Decisions that end or reduce help (rules 3, 4, 8, 9, 10)

OPHOER = AfgoerelsesResultat.Resultat.OPHOER
NEDSAETTELSE = AfgoerelsesResultat.Resultat.NEDSAETTELSE
BEVILGET = AfgoerelsesResultat.Resultat.BEVILGET


def line(kode: str | None, resultat: str, virkning: date, **fields: str) -> Resultatlinje:
    return Resultatlinje(
        beskrivelse=fields.pop("beskrivelse", "borgerstyret personlig assistance"),
        resultat=resultat,
        virkningsdato=virkning,
        kommunal_ydelse=ydelse(kode) if kode else None,
        **fields,  # type: ignore[arg-type]
    )


def decide(caseworker, sag: Sag, *lines: Resultatlinje, **fields) -> Afgoerelse:  # type: ignore[no-untyped-def]
    return afgoerelse_create(
        actor=caseworker,
        sag=sag,
        truffet_af=Afgoerelse.TruffetAf.SAGSBEHANDLER,
        form=Afgoerelse.Form.SKRIFTLIG,
        fuldt_medhold=False,
        resultater=list(lines),
        begrundelse_vurdering=fields.pop("begrundelse_vurdering", "Behovet for hjælp er faldet."),
        begrundelse_regler=fields.pop("begrundelse_regler", "Servicelovens § 96."),
        **fields,
    )


def letter_of(caseworker, afgoerelse: Afgoerelse, **tekster: str) -> str:  # type: ignore[no-untyped-def]
    brev = afgoerelse_send(actor=caseworker, afgoerelse=afgoerelse, tekster=tekster)
    return pdf_text(bytes(brev.pdf))


# 3. Notice from the citizen's receipt (servicelovens § 3 a: 14 weeks for §§ 95, 96, 98, ...)


def test_a_letter_sent_later_moves_the_end_of_its_notice_to_the_dispatch(
    caseworker, jorn_case: Sag
) -> None:
    decided = decide(caseworker, jorn_case, line("V-96", NEDSAETTELSE, date(2026, 9, 9)))
    with time_machine.travel(local_instant("2026-06-17 10:00")):  # sent two weeks later
        text = letter_of(caseworker, decided)
    assert decided.resultater.get().virkningsdato == date(2026, 9, 23)  # 17 June + 14 weeks
    assert "varsel på 14 uger fra det tidspunkt, hvor du har modtaget afgørelsen" in text
    assert "derfor er datoen den 23. september 2026" in text
    assert AuditEvent.objects.filter(summary__contains="flyttet, så varslet overholdes").exists()


def test_a_letter_dispatched_later_than_frozen_is_checked_again_and_corrected(
    caseworker, jorn_case: Sag
) -> None:
    support = {"beskrivelse": "socialpædagogisk støtte efter servicelovens § 85"}
    decided = decide(
        caseworker,
        jorn_case,
        line("V-96", NEDSAETTELSE, date(2026, 9, 9), omfang="30 timer om ugen"),
        line("V-85", OPHOER, date(2026, 6, 3), **support),
        begrundelse_regler="Servicelovens §§ 96 og 85.",
    )
    brev = afgoerelse_send(actor=caseworker, afgoerelse=decided, tekster={})  # frozen 3 June
    frozen = bytes(brev.pdf)
    assert sorted(r.virkningsdato for r in decided.resultater.all()) == [
        date(2026, 6, 3),
        date(2026, 9, 9),
    ]
    # The broker was down; the sweep sends the letter a week later, on 10 June.
    with time_machine.travel(local_instant("2026-06-10 10:00")):
        brev_dispatch(brev_id=brev.pk)

    moved = {r.kommunal_ydelse.kode: r.virkningsdato for r in decided.resultater.all()}
    assert moved == {"V-96": date(2026, 9, 16), "V-85": date(2026, 6, 10)}  # 10 June + notice
    decided.refresh_from_db()
    assert decided.meddelt == date(2026, 6, 10)
    brev.refresh_from_db()
    assert bytes(brev.pdf) == frozen  # the letter that went out is never changed
    audited = AuditEvent.objects.filter(summary__contains="flyttet ved afsendelsen 10.06.2026")
    assert audited.count() == 2
    task = Frist.objects.get(sag=jorn_case, art=Frist.Art.VARSLINGSPERIODE)
    assert task.status == Frist.Status.AABEN
    assert timezone.localtime(task.frist).date() == date(2026, 6, 11)  # the next working day
    assert task.ansvarlig == caseworker
    assert "servicelovens § 3 a" in task.regel
    (notice,) = Notifikation.objects.filter(modtager=caseworker, titel__contains="rettelsesbrev")
    assert "fra 9. september 2026 til 16. september 2026 (14 ugers varsel)" in notice.tekst
    assert "fra 3. juni 2026 til 10. juni 2026" in notice.tekst

    # The correcting letter reads the moved dates, and its dispatch meets the task.
    with time_machine.travel(local_instant("2026-06-11 09:00")):
        correction = afgoerelse_send(actor=caseworker, afgoerelse=decided, tekster={}, retter=brev)
        text = pdf_text(bytes(correction.pdf))
        assert "16. september 2026" in text
        assert "Indsatsen ophører den 10. juni 2026." in text
        brev_dispatch(brev_id=correction.pk)
    task.refresh_from_db()
    assert task.status == Frist.Status.OVERHOLDT
    assert sorted(r.virkningsdato for r in decided.resultater.all()) == [
        date(2026, 6, 10),
        date(2026, 9, 16),
    ]  # a correction's dispatch moves nothing again


def test_a_letter_dispatched_the_day_it_was_frozen_changes_nothing(
    caseworker, jorn_case: Sag
) -> None:
    decided = decide(caseworker, jorn_case, line("V-96", NEDSAETTELSE, date(2026, 9, 9)))
    brev = afgoerelse_send(actor=caseworker, afgoerelse=decided, tekster={})
    brev_dispatch(brev_id=brev.pk)
    assert decided.resultater.get().virkningsdato == date(2026, 9, 9)
    assert not Frist.objects.filter(sag=jorn_case, art=Frist.Art.VARSLINGSPERIODE).exists()


def test_a_section_95_reduction_has_its_notice_without_a_catalog_service(
    caseworker, jorn_case: Sag
) -> None:
    help_95 = {"beskrivelse": "tilskud til hjælp efter servicelovens § 95"}
    with pytest.raises(ValidationError, match=r"14 uger .* dvs\. 09\.09\.2026"):
        decide(caseworker, jorn_case, line(None, NEDSAETTELSE, date(2026, 7, 1), **help_95))
    assert decide(caseworker, jorn_case, line(None, NEDSAETTELSE, date(2026, 9, 9), **help_95))


def test_the_paragraphs_a_text_cites() -> None:
    assert paragraphs("Servicelovens §§ 95, 96 og 98") == {95, 96, 98}
    assert paragraphs("Servicelovens § 107, stk. 2, nr. 1 og § 85.") == {107, 85}
    assert paragraphs("Kommunens serviceniveau") == set()


# 9. No end back in time: never before the letter's dispatch plus the notice


def test_an_end_dated_yesterday_is_refused(caseworker, jorn_case: Sag) -> None:
    support = {"beskrivelse": "socialpædagogisk støtte efter servicelovens § 85"}
    with pytest.raises(ValidationError, match=r"tilbage i tid; tidligst 03\.06\.2026"):
        decide(caseworker, jorn_case, line("V-85", OPHOER, date(2026, 6, 2), **support))


def test_an_end_sent_days_after_it_was_recorded_takes_effect_when_sent(
    caseworker, jorn_case: Sag
) -> None:
    support = {"beskrivelse": "socialpædagogisk støtte efter servicelovens § 85"}
    decided = decide(caseworker, jorn_case, line("V-85", OPHOER, date(2026, 6, 3), **support))
    with time_machine.travel(local_instant("2026-06-05 10:00")):
        text = letter_of(caseworker, decided)
    assert decided.resultater.get().virkningsdato == date(2026, 6, 5)
    assert "kan ikke få virkning, før du har fået afgørelsen" in text


# 8. A letter that ends or reduces help says so, with its date, notice, reasons and complaint
#    guidance, and nothing of an application letter


def test_an_end_letter_says_the_help_ends(caseworker, jorn_case: Sag) -> None:
    text = letter_of(
        caseworker,
        decide(
            caseworker,
            jorn_case,
            line(
                "V-85",
                OPHOER,
                date(2026, 7, 1),
                beskrivelse="socialpædagogisk støtte efter servicelovens § 85",
            ),
            begrundelse_regler="Servicelovens § 85.",
        ),
    )
    assert "Afgørelse om ophør af socialpædagogisk støtte efter servicelovens § 85" in text
    assert "Du får ikke længere socialpædagogisk støtte efter servicelovens § 85." in text
    assert "Indsatsen ophører den 1. juli 2026." in text
    assert "Behovet for hjælp er faldet." in text
    assert "Klagevejledning" in text
    for wrong in ("afslag", "din henvendelse modtaget", "Vi følger op", "Formålet med indsatsen"):
        assert wrong not in text


def test_a_reduction_letter_states_the_reduction_and_its_notice(caseworker, jorn_case: Sag) -> None:
    text = letter_of(
        caseworker,
        decide(
            caseworker,
            jorn_case,
            line("V-96", NEDSAETTELSE, date(2026, 9, 9), omfang="30 timer om ugen"),
        ),
    )
    assert "Afgørelse om nedsættelse af borgerstyret personlig assistance" in text
    assert (
        "Vi nedsætter borgerstyret personlig assistance til 30 timer om ugen fra den "
        "9. september 2026. Det sker med et varsel på 14 uger"
    ) in text
    assert "din henvendelse modtaget" not in text


def test_a_partial_end_letter_ends_one_and_keeps_the_other(caseworker, jorn_case: Sag) -> None:
    text = letter_of(
        caseworker,
        decide(
            caseworker,
            jorn_case,
            line("V-107", OPHOER, date(2026, 7, 1), beskrivelse="midlertidigt botilbud"),
            line(
                "V-85",
                BEVILGET,
                date(2026, 7, 1),
                beskrivelse="socialpædagogisk støtte",
                omfang="6 timer om ugen",
            ),
            begrundelse_regler="Servicelovens §§ 107 og 85.",
        ),
    )
    assert "Du får ikke længere midlertidigt botilbud. Indsatsen ophører den 1. juli 2026." in text
    assert "Du får socialpædagogisk støtte, 6 timer om ugen, fra den 1. juli 2026." in text
    assert "din henvendelse modtaget" not in text


# 4. A decision without full medhold names its legal basis (forvaltningslovens § 24, stk. 1)


def test_a_refusal_letter_without_a_rule_of_law_is_not_sent(caseworker, jorn_case: Sag) -> None:
    cleaning = {"beskrivelse": "hjælp til rengøring"}
    decided = decide(
        caseworker,
        jorn_case,
        line(None, AfgoerelsesResultat.Resultat.AFSLAG, date(2026, 7, 1), **cleaning),
        begrundelse_regler="Servicelovens § 83.",
    )
    for cleared in ("", "Kommunens serviceniveau."):
        with pytest.raises(ValidationError, match="mindst én retsregel"):
            letter_of(caseworker, decided, begrundelse_regler=cleared)
    assert not Brev.objects.exists()
    assert "Servicelovens § 83." in letter_of(caseworker, decided)


# 10. A hearing where the catalog or the law asks for one


def test_a_decision_on_facts_unknown_to_the_citizen_needs_a_hearing(
    caseworker, jorn_case: Sag
) -> None:
    to_their_disadvantage = line("V-96", NEDSAETTELSE, date(2026, 9, 30), omfang="30 timer")
    with pytest.raises(ValidationError, match="forvaltningslovens § 19"):
        decide(caseworker, jorn_case, to_their_disadvantage, ukendte_oplysninger_til_ugunst=True)
    hoering = hearing(caseworker, jorn_case)
    with pytest.raises(ValidationError, match="afventer svar"):
        decide(caseworker, jorn_case, to_their_disadvantage, ukendte_oplysninger_til_ugunst=True)
    run_out = Frist.objects.get(pk=hoering.frist_id).frist + timedelta(seconds=1)
    with time_machine.travel(run_out):
        decided = decide(
            caseworker, jorn_case, to_their_disadvantage, ukendte_oplysninger_til_ugunst=True
        )
    assert decided.ukendte_oplysninger_til_ugunst


# 5. Every application gets a processing deadline (retssikkerhedslovens § 3)


def test_a_type_the_catalog_leaves_out_gets_the_services_strictest_deadline(
    caseworker, settings
) -> None:  # type: ignore[no-untyped-def]
    v85 = ydelse("V-85")  # Viborg: new applications 6 weeks, changes 4; nothing else
    found = processing_deadline_rule(
        ydelse=v85, ansoegningstype=Ansoegningstype.AENDRING_NYE_OPLYSNINGER
    )
    assert found is not None
    assert (found.regel.vaerdi, found.regel.ansoegningstype) == (4, Ansoegningstype.AENDRING)
    sag = open_case(
        caseworker,
        date(2026, 6, 1),
        kommunal_ydelse=v85,
        ansoegningstype=Ansoegningstype.AENDRING_NYE_OPLYSNINGER,
    )
    frist = processing_deadline(sag)
    assert timezone.localtime(frist.frist).date() == date(2026, 6, 29)  # 4 weeks
    assert "den strengeste af ydelsens frister gælder (ændring)" in frist.regel


def changed_catalog(tmp_path: Path, name: str, change) -> Path:  # type: ignore[no-untyped-def]
    """A copy of a shipped catalog file as a new version, with `change` applied to its
    services (by code)."""
    data = json.loads((default_directory() / name).read_text(encoding="utf-8"))
    data["version"] = "ny"
    change({row["kode"]: row for row in data["ydelser"]})
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_loader_refuses_a_service_for_application_without_a_deadline(
    tmp_path: Path,
) -> None:
    def no_rules_for_r85(services: dict[str, dict]) -> None:  # type: ignore[type-arg]
        del services["R-85"]["frister"]  # it requires visitation

    with pytest.raises(
        CatalogFileError, match="R-85 Mestringsvejledning kan søges, men har ingen sagsbehandlingsf"
    ):
        load_file(changed_catalog(tmp_path, "randers-1.json", no_rules_for_r85))

    def unsaid_gap_for_v83(services: dict[str, dict]) -> None:  # type: ignore[type-arg]
        del services["V-83"][NO_DEADLINE_KEY]  # kraever_visitation unset: applied for

    with pytest.raises(CatalogFileError, match="V-83 Personlig pleje og praktisk hjælp kan søges"):
        load_file(changed_catalog(tmp_path, "viborg-2020.json", unsaid_gap_for_v83))

    def rules_and_a_gap(services: dict[str, dict]) -> None:  # type: ignore[type-arg]
        services["V-85"][NO_DEADLINE_KEY] = "Ingen frist."

    with pytest.raises(CatalogFileError, match=r"V-85 .* og samtidig 'sagsbehandlingsfrist_mang"):
        load_file(changed_catalog(tmp_path, "viborg-2020.json", rules_and_a_gap))


def documented_gaps() -> set[str]:
    """The services docs/deadlines.md lists as applied for without a processing deadline."""
    text = (Path(__file__).parents[1] / "docs" / "deadlines.md").read_text(encoding="utf-8")
    section = text.split("## Services without a processing deadline", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| ([RV]-[A-Z0-9-]+) \|", section, re.M))


def test_every_real_catalog_gives_every_applied_for_service_a_deadline() -> None:
    results = load_all()  # every file in fixtures/catalog (loaded already by the fixture)
    assert {r.katalog for r in results} == {"ffb", "randers", "viborg"}
    gaps = set()
    for service in KommunalYdelse.objects.all():
        if service.kraever_visitation is False:
            continue  # not applied for (open access, outreach, the provider decides)
        for kind in Ansoegningstype.values:
            found = processing_deadline_rule(ydelse=service, ansoegningstype=kind)
            if found is None:
                # Only where the catalog file says why the source gives none.
                assert NO_DEADLINE_NOTE in service.saerlige_bemaerkninger, (service.kode, kind)
                gaps.add(service.kode)
    # Each gap is listed in docs/deadlines.md, and the caseworker is told that none applies.
    assert gaps == documented_gaps()
    for kode in gaps:
        message = processing_deadline_missing(ydelse=KommunalYdelse.objects.get(kode=kode))
        assert message.startswith(f"{kode} ")
        assert "har ingen sagsbehandlingsfrist i kommunens katalog" in message
    # What the seeds give: Viborg's befordring goes with the day offer's referral (4 weeks),
    # anonymous drug treatment is treatment of drug users (2 weeks from the enquiry).
    for kode, weeks in (("V-105", 4), ("V-101A", 2)):
        for kind in Ansoegningstype.values:
            rule = processing_deadline_rule(ydelse=ydelse(kode), ansoegningstype=kind)
            assert rule is not None
            assert (rule.regel.vaerdi, rule.regel.enhed) == (weeks, "uger")
    outreach = ydelse("V-99")
    assert outreach.kraever_visitation is False
    assert "søges ikke" in processing_deadline_missing(ydelse=outreach)


# 6. "Senest" means no later; a deadline counted forward moves forward (vum/calendar.py)


def test_a_date_at_the_latest_comes_back_and_a_deadline_goes_forward() -> None:
    # Three months after 1 October 2026 is New Year's Day; 31 December is closed too.
    assert calendar.add_no_later(date(2026, 10, 1), 3, calendar.Unit.MONTHS) == date(2026, 12, 30)
    assert calendar.add(date(2026, 10, 1), 3, calendar.Unit.MONTHS) == date(2027, 1, 4)
    # Four weeks after 2 December 2026 (a complaint deadline) is 30 December, a working day.
    assert calendar.add(date(2026, 12, 2), 4, calendar.Unit.WEEKS) == date(2026, 12, 30)
    assert calendar.add_no_later(date(2026, 3, 29), 2, calendar.Unit.WEEKS) == date(2026, 4, 10)


# 7. Ledsageordning (serviceloven § 97): 15 hours a month, savings within 6 months, at most 90


def test_the_months_savings_are_used_oldest_first_and_lapse_after_six_months() -> None:
    hours = {date(2026, 1, 1): Decimal(5), date(2026, 2, 1): Decimal(0)}
    months = ledsagelse.months(hours, start=date(2026, 1, 1), until=date(2026, 8, 1))
    saved = {m.maaned.month: m.opsparet for m in months}
    # January saves 10, February to June 15 each: 85 by June.
    assert saved[1] == 10
    assert saved[6] == 85
    # In July January's 10 have lapsed (saved in January, usable through June); July saves 15.
    assert months[6].til_raadighed == 15 + 75
    assert saved[7] == 90
    assert all(m.ok for m in months)


def test_savings_are_capped_at_90_hours() -> None:
    months = ledsagelse.months({}, start=date(2026, 1, 1), until=date(2026, 12, 1))
    assert max(m.opsparet for m in months) == ledsagelse.MAX_SAVED


def test_using_more_than_the_month_and_its_savings_is_flagged() -> None:
    hours = {date(2026, 1, 1): Decimal(10), date(2026, 2, 1): Decimal(21)}
    months = ledsagelse.months(hours, start=date(2026, 1, 1), until=date(2026, 2, 1))
    assert (months[1].til_raadighed, months[1].over) == (Decimal(20), Decimal(1))


def granted_ledsagelse(caseworker, sag: Sag) -> Afgoerelse:  # type: ignore[no-untyped-def]
    return afgoerelse_create(
        actor=caseworker,
        sag=sag,
        truffet_af=Afgoerelse.TruffetAf.SAGSBEHANDLER,
        form=Afgoerelse.Form.SKRIFTLIG,
        fuldt_medhold=True,
        truffet=date(2026, 1, 5),
        resultater=[
            Resultatlinje(
                beskrivelse="ledsagelse efter servicelovens § 97",
                resultat=BEVILGET,
                omfang="15 timer om måneden",
                virkningsdato=date(2026, 1, 1),
                kommunal_ydelse=ydelse("V-97"),
            )
        ],
    )


def test_hours_beyond_the_month_and_its_savings_are_refused(caseworker, jorn_case: Sag) -> None:
    granted_ledsagelse(caseworker, jorn_case)
    ledsagetimer_register(
        actor=caseworker, sag=jorn_case, maaned=date(2026, 1, 1), timer=Decimal(5)
    )
    ledsagetimer_register(
        actor=caseworker, sag=jorn_case, maaned=date(2026, 2, 15), timer=Decimal(25)
    )  # 15 + 10 saved in January
    with pytest.raises(ValidationError, match=r"03\.2026 ville bruge 16 timer, men der er 15"):
        ledsagetimer_register(
            actor=caseworker, sag=jorn_case, maaned=date(2026, 3, 1), timer=Decimal(16)
        )
    # Correcting January upwards would leave February short of the savings it used.
    with pytest.raises(ValidationError, match=r"02\.2026 ville bruge 25"):
        ledsagetimer_register(
            actor=caseworker, sag=jorn_case, maaned=date(2026, 1, 1), timer=Decimal(6)
        )
    with pytest.raises(ValidationError, match="gået eller er i gang"):
        ledsagetimer_register(
            actor=caseworker, sag=jorn_case, maaned=date(2026, 7, 1), timer=Decimal(1)
        )


def test_no_hours_without_a_section_97_grant(caseworker, jorn_case: Sag) -> None:
    with pytest.raises(ValidationError, match="ingen bevilling af ledsagelse"):
        ledsagetimer_register(
            actor=caseworker, sag=jorn_case, maaned=date(2026, 5, 1), timer=Decimal(1)
        )
