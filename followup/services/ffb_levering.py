"""KL's FFB data set: each day's DeliveryReports, built, validated, handed to the transport and
recorded (docs/ffb-reporting.md).

Which citizens: those whose data were written on the day (the audit trail's create, update and
transition rows of the day name the citizen), or, for a full load, every citizen with FFB facts.
Of those, a citizen is delivered only when the content of their bundle differs from what was last
delivered for them (`content_sha256`): a write that changes nothing the data set holds (a journal
note, a letter) sends nothing. A citizen is delivered at most once per day, so running a day
again delivers nothing twice. A citizen whose bundle breaks the IG's rules is not delivered and
is recorded with the reasons (`FfbAfvisning`) for the manager's page and the case's follow-up
page, and the caseworkers of its open cases are told.
"""

from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from assessment.models import Afgoerelse, Udredning
from cases.lifecycle import Fase
from cases.models import Borger, Sag
from followup.ffb_dataset.bundle import build_delivery_report, compact_json, content_sha256
from followup.ffb_dataset.facts import ffb_facts, levels
from followup.ffb_dataset.selectors import ffb_afvisninger_current
from followup.ffb_dataset.transport import FfbTransport, ffb_transport
from followup.ffb_dataset.validation import delivery_report_problems
from followup.models import FfbAfvisning, FfbBorgerlevering, FfbLevering
from vum.accounts.models import User
from vum.audit.models import AuditAction, AuditEvent
from vum.audit.services import audit_record, audit_record_many
from vum.notifications.services import Besked, notifikationer_create, notifikationer_handled

# The audit actions that write a citizen's data; reads and exports change nothing.
WRITES = (AuditAction.CREATE, AuditAction.UPDATE, AuditAction.TRANSITION)


def _day_bounds(dag: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(dag, time.min))
    return start, timezone.make_aware(datetime.combine(dag + timedelta(days=1), time.min))


def ffb_kandidater(*, dag: date) -> list[int]:
    """The citizens whose data were written on `dag` (local time), from the audit trail."""
    start, end = _day_bounds(dag)
    written = (
        AuditEvent.objects.filter(
            occurred_at__gte=start, occurred_at__lt=end, action__in=WRITES, borger_id__isnull=False
        )
        .order_by()  # the trail's own ordering would make each row distinct
        .values_list("borger_id", flat=True)
        .distinct()
    )
    return sorted(pk for pk in written if pk is not None)


def ffb_alle() -> list[int]:
    """Every citizen with FFB facts: an udredning or a decision (the full initial load)."""
    # One UNION of two index scans: `id IN (...) OR id IN (...)` over the citizens took minutes
    # at 200,000 (the subqueries did not fit the memory for hashing and ran once per row).
    assessed = Udredning.objects.order_by().values_list("sag__borger_id", flat=True)
    decided = Afgoerelse.objects.order_by().values_list("sag__borger_id", flat=True)
    return sorted(assessed.union(decided))


# A night's catch-up goes back at most this far; older gaps are for `manage.py ffb_levering`.
CATCH_UP_DAYS = 31


def ffb_days_due(*, today: date) -> list[date]:
    """The whole days not yet delivered, oldest first: each day after the last one a run
    finished (a full load counts), up to yesterday; yesterday alone when none has."""
    yesterday = today - timedelta(days=1)
    last = FfbLevering.objects.filter(afsluttet__isnull=False).aggregate(last=Max("dag"))["last"]
    first = (
        max(last + timedelta(days=1), yesterday - timedelta(days=CATCH_UP_DAYS - 1))
        if last
        else yesterday
    )
    return [first + timedelta(days=n) for n in range((yesterday - first).days + 1)]


def _batches(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _last_deliveries(borger_ids: Sequence[int]) -> dict[int, tuple[int, str]]:
    """Each citizen's last delivery: its id and the digest of its content."""
    latest = (
        FfbBorgerlevering.objects.filter(borger_id__in=borger_ids)
        .values("borger_id")
        .annotate(last=Max("id"))
    )
    return {
        borger_id: (pk, digest)
        for pk, borger_id, digest in FfbBorgerlevering.objects.filter(
            pk__in=latest.values("last")
        ).values_list("pk", "borger_id", "sha256")
    }


def _kommune() -> str:
    kommune = str(settings.VUM_FFB_KOMMUNE or "").strip()
    if not kommune:
        raise ImproperlyConfigured(
            "VUM_FFB_KOMMUNE mangler: kommunens organisations-UUID i KOMBIT's "
            "støttesystem (STS), som FFB-datasættet skal angive for hver borger."
        )
    return kommune


def ffb_levering_run(
    *,
    dag: date,
    fuld: bool = False,
    borger_ids: Sequence[int] | None = None,
    actor: User | None = None,
    transport: FfbTransport | None = None,
) -> FfbLevering:
    """Deliver the FFB data set for `dag`: the day's changed citizens (`ffb_kandidater`), or
    with `fuld` every citizen with FFB facts (`ffb_alle`), or exactly `borger_ids`. Reads the
    citizens in batches of VUM_FFB_BATCH_SIZE, each batch in one transaction with its records
    and audit rows, so a run stopped half-way keeps what it delivered and a new run takes up the
    rest. Safe to run again: nothing is delivered twice."""
    kommune = _kommune()
    transport = transport or ffb_transport()
    system = settings.VUM_FFB_SAGSNUMMER_SYSTEM or f"{settings.VUM_BASE_URL}/sager"
    if borger_ids is not None:
        ids = sorted(set(borger_ids))
    else:
        ids = ffb_alle() if fuld else ffb_kandidater(dag=dag)
    levering = FfbLevering.objects.create(
        dag=dag, fuld=fuld, transport=transport.name, startet_af=actor, kandidater=len(ids)
    )
    niveauer = levels()
    for batch in _batches(ids, settings.VUM_FFB_BATCH_SIZE):
        with transaction.atomic():
            _batch_deliver(
                levering,
                batch,
                kommune=kommune,
                system=system,
                niveauer=niveauer,
                transport=transport,
            )
    levering.afsluttet = timezone.now()
    levering.save(update_fields=["afsluttet", "leveret", "uaendret", "afvist"])
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=levering,
        summary=f"FFB-datasæt for {dag:%d.%m.%Y}: {levering.leveret} borgere leveret, "
        f"{levering.afvist} afvist",
    )
    return levering


def _batch_deliver(
    levering: FfbLevering,
    batch: Sequence[int],
    *,
    kommune: str,
    system: str,
    niveauer: dict[int, str],
    transport: FfbTransport,
) -> None:
    dag = levering.dag
    now = timezone.now()
    # Two runs of a day at once (the nightly task and the command, say) take a batch's citizens
    # in turn: the second waits here and then finds them delivered. In the order of their ids,
    # so that two runs cannot deadlock; NO KEY, so that writes that merely refer to a citizen
    # (a new case, an audit row) are not held up meanwhile.
    locked = Borger.objects.select_for_update(no_key=True).filter(pk__in=batch).order_by("pk")
    list(locked.values_list("pk", flat=True))
    last = _last_deliveries(batch)
    standing = {
        r.borger_id: r
        for r in ffb_afvisninger_current().filter(borger_id__in=batch).select_related("levering")
    }
    done_today = set(
        FfbBorgerlevering.objects.filter(dag=dag, borger_id__in=batch).values_list(
            "borger_id", flat=True
        )
    )
    delivered: list[FfbBorgerlevering] = []
    refused: list[tuple[FfbAfvisning, int]] = []  # with the citizen's last delivery id
    resolved: list[str] = []  # the notifications of refusals a delivery now ends
    for citizen in ffb_facts(batch, niveauer=niveauer):
        report = build_delivery_report(
            citizen, kommune=kommune, sagsnummer_system=system, dag=dag, timestamp=now
        )
        if report is None:
            continue
        # Content as last delivered (and so validated then): passed over before the validation,
        # which costs most of a citizen's time; a day's writes mostly change nothing it holds.
        digest = content_sha256(report.bundle)
        last_id, last_digest = last.get(citizen.pk, (0, ""))
        # A citizen refused since their last delivery goes again even when the content is as
        # then (the cause was undone), so that the delivery ends the refusal.
        if citizen.pk in done_today or (last_digest == digest and citizen.pk not in standing):
            levering.uaendret += 1
            continue
        text = compact_json(report.bundle)
        problems = report.problems + delivery_report_problems(report.bundle, text=text)
        if problems:
            refusal = FfbAfvisning(
                levering=levering,
                borger_id=citizen.pk,
                sager=report.sag_ids,
                fejl=report.problem_rows(problems),
            )
            before = standing.get(citizen.pk)
            if (
                before is not None
                and before.levering.dag == dag
                and (before.sager, before.fejl) == (refusal.sager, refusal.fejl)
            ):
                # Refused already today for the same reasons (a second run of the day, at once
                # or later): one refusal is enough.
                levering.uaendret += 1
                continue
            refused.append((refusal, last_id))
            continue
        if citizen.pk in standing:
            resolved += [_refused_kilde(sag, last_id) for sag in standing[citizen.pk].sager]
        placering = transport.deliver(dag=dag, borger_id=citizen.pk, bundle=report.bundle)
        delivered.append(
            FfbBorgerlevering(
                levering=levering,
                dag=dag,
                borger_id=citizen.pk,
                sha256=digest,
                bundt_zlib=FfbBorgerlevering.packed(text),
                placering=placering,
                leveret=now,
            )
        )
    FfbBorgerlevering.objects.bulk_create(delivered)
    FfbAfvisning.objects.bulk_create([refusal for refusal, _ in refused])
    _tell_caseworkers(refused)
    if resolved:
        notifikationer_handled(kilde=resolved)
    levering.leveret += len(delivered)
    levering.afvist += len(refused)
    levering.save(update_fields=["leveret", "uaendret", "afvist"])
    audit_record_many(
        actor=levering.startet_af,
        action=AuditAction.EXPORT,
        objects=delivered,
        summary="FFB-datasæt leveret",
    )


# What the caseworkers of a refused case are told; the follow-up page lists the rules broken.
# Like every notification it names the case, not the citizen or their data.
REFUSED = (
    "Sagens oplysninger brød reglerne for KL's FFB-datasæt, så borgeren er ikke leveret. Se "
    "hvilke regler under sagens opfølgning, og ret oplysningerne."
)


def _refused_kilde(sag_pk: int, last_delivery_id: int) -> str:
    """A refusal's notification cause: the case and the citizen's last delivery before it, so
    that a case is told once while it stays refused, and again if refused after a delivery."""
    return f"ffb-afvist:{sag_pk}:{last_delivery_id}"


def _tell_caseworkers(refused: Sequence[tuple[FfbAfvisning, int]]) -> None:
    """The caseworkers of each open refused case whose own data (or the citizen's) broke a rule
    hear of it, once while it stays refused. A case refused only for another team's case is
    not theirs to put right."""
    by_case = {
        sag_pk: (refusal, last_id) for refusal, last_id in refused for sag_pk in refusal.sager
    }
    open_cases = (
        Sag.objects.filter(pk__in=by_case)
        .exclude(fase=Fase.AFSLUTTET)
        .select_related("sagsbehandler", "team")
        .order_by("pk")
    )
    beskeder = []
    for sag in open_cases:
        refusal, last_id = by_case[sag.pk]
        if not any(fejl.get("sag") in (None, sag.pk) for fejl in refusal.fejl):
            continue
        beskeder += [
            Besked(
                modtager=user,
                titel=f"Sag {sag.pk} er ikke leveret til FFB-datasættet",
                tekst=REFUSED,
                link=reverse("followup:opfoelgninger", args=[sag.pk]),
                kilde=_refused_kilde(sag.pk, last_id),
            )
            for user in sag.caseworkers()
        ]
    notifikationer_create(beskeder=beskeder)
