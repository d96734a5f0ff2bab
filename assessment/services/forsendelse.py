"""Forsendelse: a frozen letter sent through the dispatcher, once to each recipient: the
addressee, and the citizen's copy of a letter addressed to the one who holds their rights. The
complaint deadline runs from the dispatch to the addressee, and so does the notice of an end or
a reduction: a letter that goes out later than it was frozen is checked again."""

import logging
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone

from assessment.letters import letter_recipient
from assessment.models import Afgoerelse, AfgoerelsesResultat, Brev, Forsendelse
from assessment.varsel import NOTICE_SOURCE, ends_or_reduces, notice_weeks
from cases.models import Sag
from vum import calendar
from vum.accounts.models import Role, User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record
from vum.catalog.selectors import current_kommune
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_create, frist_meet
from vum.dispatch import Letter, get_dispatcher
from vum.notifications.services import Besked, notifikationer_create

logger = logging.getLogger(__name__)


def brev_dispatch(*, brev_id: int, wait: bool = True) -> Forsendelse | None:
    """Send a frozen letter to its addressee and, where it has one, its copy to the citizen.
    Each dispatch is its own transaction holding the letter's row, so one that has gone out is
    recorded before the next is tried, and a second call (a retry, or a sweep) sends only what
    has not gone. With `wait=False` a letter another process holds is left to it (None).
    Returns the dispatch to the addressee."""
    forsendelse = _dispatch_to(brev_id=brev_id, modtager=Forsendelse.Modtager.ADRESSAT, wait=wait)
    if forsendelse is not None and forsendelse.brev.kopi_til:
        _dispatch_to(brev_id=brev_id, modtager=Forsendelse.Modtager.KOPI_TIL_BORGER, wait=wait)
    return forsendelse


def pending_letters() -> QuerySet[Brev]:
    """Letters frozen and not yet sent to every recipient: the outbox of letters."""
    sent_to = Forsendelse.objects.filter(brev=OuterRef("pk"))
    return Brev.objects.filter(
        ~Exists(sent_to.filter(modtager=Forsendelse.Modtager.ADRESSAT))
        | (~Q(kopi_til="") & ~Exists(sent_to.filter(modtager=Forsendelse.Modtager.KOPI_TIL_BORGER)))
    ).order_by("oprettet", "id")


def breve_dispatch_pending(*, limit: int = 100) -> int:
    """The sweep: send the letters that are frozen but not sent (their task was never queued,
    say, because the broker was down), oldest first. Each letter is claimed with SKIP LOCKED, so
    two sweeps, or a sweep and the task queued at the send, never send one twice; a letter that
    cannot be sent now is logged and left for the next sweep, not in the way of the others.
    Returns how many letters were sent."""
    sent = 0
    for brev_id in pending_letters().values_list("pk", flat=True)[:limit]:
        try:
            if brev_dispatch(brev_id=brev_id, wait=False) is not None:
                sent += 1
        except Exception:  # one letter's failure must not stop the others
            logger.warning(
                "Brev %s kunne ikke sendes; næste kørsel prøver igen.", brev_id, exc_info=True
            )
    return sent


@transaction.atomic
def _dispatch_to(*, brev_id: int, modtager: str, wait: bool) -> Forsendelse | None:
    brev = (
        Brev.objects.select_for_update(of=("self",), skip_locked=not wait)
        .select_related("sag__borger", "afgoerelse")
        .filter(pk=brev_id)
        .first()
    )
    if brev is None:
        return None  # another process holds the letter and is sending it
    existing = Forsendelse.objects.filter(brev=brev, modtager=modtager).first()
    if existing is not None:
        return existing
    subject = f"{brev.get_art_display()} fra {current_kommune().navn}"
    if modtager == Forsendelse.Modtager.ADRESSAT:
        recipient, _copy = letter_recipient(brev.sag)
        letter = Letter(
            brev_id=brev.pk,
            recipient_name=brev.modtager_navn,
            recipient_email=recipient["email"],
            subject=subject,
            pdf=bytes(brev.pdf),
        )
    else:
        borger = brev.sag.borger
        letter = Letter(
            brev_id=brev.pk,
            recipient_name=borger.navn,
            recipient_email=borger.email,
            subject=f"Kopi: {subject}",
            pdf=bytes(brev.pdf),
            copy=True,
        )
    receipt = get_dispatcher().send(letter)
    forsendelse = Forsendelse.objects.create(
        brev=brev,
        modtager=modtager,
        modtager_navn=letter.recipient_name,
        kanal=receipt.channel,
        reference=receipt.reference,
        sendt=receipt.sent_at,
    )
    afgoerelse = brev.afgoerelse
    if afgoerelse is not None and modtager == Forsendelse.Modtager.ADRESSAT:
        sent_day = timezone.localtime(receipt.sent_at).date()
        Afgoerelse.objects.filter(pk=afgoerelse.pk).update(
            meddelt=afgoerelse.meddelt or sent_day,
            klagefrist=calendar.complaint_deadline(sent_day),
        )
        done = [Frist.Art.SAGSBEHANDLINGSFRIST, Frist.Art.SKRIFTLIG_AFGOERELSE]
        if brev.retter_id is not None:
            done.append(Frist.Art.VARSLINGSPERIODE)  # the correcting letter asked for below
        for frist in Frist.objects.open().filter(sag=brev.sag, art__in=done):
            frist_meet(frist=frist, now=receipt.sent_at)
        if brev.retter_id is None:
            _notice_kept_at_dispatch(brev, afgoerelse, sent_day)
    audit_record(
        actor=None,
        action=AuditAction.EXPORT,
        obj=brev,
        borger_id=brev.sag.borger_id,
        summary=f"Brev sendt via {receipt.channel} ({forsendelse.get_modtager_display().lower()})",
        changes={"reference": receipt.reference},
    )
    return forsendelse


CORRECTION_WORKING_DAYS = 1


def _notice_kept_at_dispatch(brev: Brev, afgoerelse: Afgoerelse, sent_day: date) -> None:
    """The citizen receives a written decision when its letter goes out, and an end or a
    reduction takes effect no earlier than that plus its notice (`assessment.varsel`,
    servicelovens § 3 a). `afgoerelse_send` counted from the day the letter was frozen; a letter
    that goes out later (the broker was down and the sweep sent it) may now give less. Each
    such date is moved to the dispatch day plus its notice and audited, and the caseworker gets
    a deadline (and a notification) to send a correcting letter with the new date, which the
    correction reads from the moved result. The letter that went out is never changed."""
    if afgoerelse.form != Afgoerelse.Form.SKRIFTLIG:
        return  # an oral decision was received when it was told; checked when recorded
    moved: list[tuple[AfgoerelsesResultat, date, int]] = []
    rows = afgoerelse.resultater.select_related("kommunal_ydelse", "indsats__kommunal_ydelse")
    for row in rows:
        if not ends_or_reduces(row):
            continue
        weeks = notice_weeks(row)
        earliest = sent_day + timedelta(weeks=weeks)
        if row.virkningsdato >= earliest:
            continue
        old = row.virkningsdato
        row.virkningsdato = earliest
        row.save(update_fields=["virkningsdato"])
        moved.append((row, old, weeks))
        audit_record(
            actor=None,
            action=AuditAction.UPDATE,
            obj=afgoerelse,
            borger_id=brev.sag.borger_id,
            summary=(
                f"Virkningsdato for {row.beskrivelse} flyttet ved afsendelsen "
                f"{sent_day:%d.%m.%Y}, så varslet overholdes; rettelsesbrev skal sendes"
            ),
            changes={
                "brev": brev.pk,
                "virkningsdato": {"old": old.isoformat(), "new": earliest.isoformat()},
                "varsel_uger": weeks,
            },
        )
    if moved:
        _ask_for_a_correcting_letter(brev, sent_day, moved)


def _ask_for_a_correcting_letter(
    brev: Brev, sent_day: date, moved: list[tuple[AfgoerelsesResultat, date, int]]
) -> None:
    sag = brev.sag

    def day(d: date) -> str:
        return formats.date_format(d, "j. F Y")

    changes = "; ".join(
        f"{row.beskrivelse}: fra {day(old)} til {day(row.virkningsdato)}"
        + (f" ({weeks} ugers varsel)" if weeks else "")
        for row, old, weeks in moved
    )
    frist = frist_create(
        sag=sag,
        art=Frist.Art.VARSLINGSPERIODE,
        frist=calendar.end_of_day(calendar.add_working_days(sent_day, CORRECTION_WORKING_DAYS)),
        beskrivelse="Send et rettelsesbrev: afgørelsens virkningsdato er flyttet, så varslet "
        "overholdes",
        regel=(
            f"Varslet regnes fra borgerens modtagelse af afgørelsen ({NOTICE_SOURCE}); brevet "
            f"blev først sendt {sent_day:%d.%m.%Y}"
        ),
        ansvarlig=sag.sagsbehandler,
        ansvarligt_team=sag.team,
    )
    notifikationer_create(
        beskeder=[
            Besked(
                modtager=user,
                titel=f"Send et rettelsesbrev om virkningsdatoen, sag {sag.pk}",
                tekst=(
                    f"Afgørelsesbrevet blev først sendt {day(sent_day)}, så datoen i brevet "
                    f"ville ikke overholde varslet. Virkningsdatoen er flyttet ({changes}). "
                    "Send et rettelsesbrev med den nye dato til borgeren, og ret "
                    "bestillingernes slutdato. Send det senest "
                    f"{day(timezone.localtime(frist.frist).date())}."
                ),
                link=reverse("sag_detail", args=[sag.pk]),
                kilde=f"varsel-ved-afsendelse:{brev.pk}",
            )
            for user in _caseworkers(sag)
        ]
    )


def _caseworkers(sag: Sag) -> list[User]:
    """Who is asked: the case's caseworker, else the team's caseworkers."""
    if sag.sagsbehandler is not None and sag.sagsbehandler.is_active:
        return [sag.sagsbehandler]
    return list(sag.team.members.filter(is_active=True, role=Role.SAGSBEHANDLER))
