"""Keeping the dashboard's figures: current as cases change (`noegletal_update`, every
`VUM_NOEGLETAL_SECONDS`), rebuilt from scratch each night as a check (`noegletal_refresh`).

The figures (`Noegletal`) are the facts (`NoegletalBidrag`) folded into groups. A write to any
case table a collector reads leaves the case's id in `NoegletalAendring` (database triggers, in
the writer's transaction); so does a deadline falling due, which the update finds by time. The
update replaces those cases' facts and corrects only the groups their old and new facts fall in:
counts and sums by the difference, a group's citizens by asking the facts that now stand
whether each citizen concerned is still in it. The nightly rebuild computes everything again
and counts the groups it finds different (`NoegletalOpgoerelse.afvigelser`, logged): none, as
long as the update is right."""

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import astuple, fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from followup.dashboard.collectors import (
    COLLECTORS,
    Fact,
    GroupKey,
    collect_facts,
    fold,
    group_keys,
    municipalities,
)
from followup.dashboard.figures import first_kept_month
from followup.models import (
    Noegletal,
    NoegletalAendring,
    NoegletalBidrag,
    NoegletalOpgoerelse,
)
from vum.deadlines.models import Frist

logger = logging.getLogger(__name__)

FACT_FIELDS = [f.name for f in fields(Fact)]
KEY_FIELDS = [
    "emne",
    "team_id",
    "kommunal_ydelse_id",
    "maaned",
    "noegle",
    "noegle2",
    "noegle3",
    "borger_id",
]
VALUE_FIELDS = ["antal", "borgere", "sum1", "sum2", "sum3", "vaerdier", "borger_ids", "delmaengder"]
BATCH = 5000


# The nightly rebuild


def noegletal_refresh(*, now: datetime | None = None) -> NoegletalOpgoerelse:
    """Rebuild every fact and figure from the case tables, in one transaction: a leader sees
    the old figures or the new ones, never a mix. The one status row is locked first, so an
    update or a second rebuild waits or skips rather than interleaving. Derived numbers only:
    nothing about a citizen is written, so no audit event."""
    now = now or timezone.now()
    started = timezone.now()
    with transaction.atomic():
        status, _ = NoegletalOpgoerelse.objects.select_for_update().get_or_create(pk=1)
        # Every change committed before this statement is seen by the reads below; those
        # committed later stay for the next update, which may then do again what this did.
        NoegletalAendring.objects.all().delete()
        # DELETE, not TRUNCATE: the app's database role may not truncate (docs/deployment.md).
        NoegletalBidrag.objects.all().delete()
        municipality_of = municipalities()
        since = first_kept_month(timezone.localtime(now).date())
        groups = differences = 0
        for collector, emner in COLLECTORS:
            before = {
                _key(row): _signature(row[len(KEY_FIELDS) :])
                for row in Noegletal.objects.filter(emne__in=emner)
                .values_list(*KEY_FIELDS, *VALUE_FIELDS)
                .iterator(chunk_size=BATCH)
            }
            Noegletal.objects.filter(emne__in=emner).delete()
            batch: list[Noegletal] = []
            for row in fold(_kept(collector(now, since, None)), municipality_of):
                key = _key(tuple(getattr(row, name) for name in KEY_FIELDS))
                if before.pop(key, None) != _signature(_values(row)):
                    differences += 1
                batch.append(row)
                if len(batch) >= BATCH:
                    Noegletal.objects.bulk_create(batch)
                    groups += len(batch)
                    batch = []
            Noegletal.objects.bulk_create(batch)
            groups += len(batch)
            differences += len(before)
        _analyze(Noegletal, NoegletalBidrag)
        status.varighed = timezone.now() - started
        status.grupper = groups
        # The first build has nothing kept current to check.
        status.afvigelser = differences if status.ajour is not None else None
        status.opgjort = status.ajour = now
        status.save()
    if status.afvigelser:
        logger.warning(
            "The dashboard's rebuild found %d groups that the updates had not kept right.",
            differences,
        )
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # The old figures are dead rows now; left to autovacuum (or none), the tables would
        # grow by their own size every rebuild and index-only scans would visit the heap.
        with connection.cursor() as cursor:
            for model in (Noegletal, NoegletalBidrag):
                cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
    return status


def _kept(facts: Iterable[Fact]) -> Iterator[Fact]:
    """The facts, written to `NoegletalBidrag` as they pass."""
    batch: list[Fact] = []
    for fact in facts:
        batch.append(fact)
        yield fact
        if len(batch) >= BATCH:
            _write_facts(batch)
            batch = []
    _write_facts(batch)


def _write_facts(facts: list[Fact]) -> None:
    if not facts:
        return
    if connection.vendor == "postgresql":
        # COPY: the rebuild writes some millions of facts at 200,000 citizens.
        columns = ", ".join(FACT_FIELDS)
        copying = f"COPY {NoegletalBidrag._meta.db_table} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(copying) as copy:
            for fact in facts:
                copy.write_row(astuple(fact))
        return
    NoegletalBidrag.objects.bulk_create(
        [NoegletalBidrag(**dict(zip(FACT_FIELDS, astuple(f), strict=True))) for f in facts]
    )


def _analyze(*models: type[Any]) -> None:
    if connection.vendor == "postgresql":
        # Fresh statistics for the planner: the tables were just replaced wholesale.
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"ANALYZE {model._meta.db_table}")


def _key(row: tuple[Any, ...]) -> GroupKey:
    emne, team, ydelse, maaned, k1, k2, k3, citizen = row[: len(KEY_FIELDS)]
    return (emne, team, ydelse, maaned, k1, k2, k3, citizen)


def _values(row: Noegletal) -> tuple[Any, ...]:
    return tuple(getattr(row, name) for name in VALUE_FIELDS)


def _signature(values: tuple[Any, ...]) -> int:
    """A group's figures, for comparing a rebuilt group with the one kept current."""
    antal, borgere, sum1, sum2, sum3, vaerdier, borger_ids, delmaengder = values
    parts = tuple(sorted((k, tuple(v)) for k, v in delmaengder.items() if v))
    sums = (Decimal(sum1), Decimal(sum2), Decimal(sum3))
    return hash((antal, borgere, *sums, tuple(vaerdier), tuple(borger_ids), parts))


# Keeping the figures current


def noegletal_update(*, now: datetime | None = None, limit: int = 500) -> int | None:
    """Bring the figures up to date with the cases changed since the last update (up to
    `limit` of them) and those whose deadlines fell due since. Returns how many cases it
    updated, or None when it did nothing: before the first rebuild (which makes every
    figure), or while a rebuild or another update holds the figures (this run's changes are
    then left for the next). Safe to run twice, or at once."""
    now = now or timezone.now()
    with transaction.atomic():
        status = (
            NoegletalOpgoerelse.objects.select_for_update(skip_locked=True).filter(pk=1).first()
        )
        if status is None or status.ajour is None:
            return None
        since = first_kept_month(timezone.localtime(now).date())
        if since > first_kept_month(timezone.localtime(status.ajour).date()):
            # A new month: the oldest month's flow figures are no longer kept.
            Noegletal.objects.filter(maaned__lt=since).delete()
            NoegletalBidrag.objects.filter(maaned__lt=since).delete()
        claimed = list(
            NoegletalAendring.objects.select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", "sag_id")[:limit]
        )
        sager = {sag for _pk, sag in claimed}
        if now > status.ajour:
            # Overdue deadlines and deadlines met or missed count from the moment they fall due.
            sager.update(
                Frist.objects.filter(frist__gte=status.ajour, frist__lt=now).values_list(
                    "sag_id", flat=True
                )
            )
        _update_cases(sager, now)
        NoegletalAendring.objects.filter(pk__in=[pk for pk, _sag in claimed]).delete()
        status.ajour = max(now, status.ajour)
        status.save(update_fields=["ajour"])
    return len(sager)


def noegletal_pending() -> bool:
    """Whether some case's change is not yet in the figures."""
    return NoegletalAendring.objects.exists()


def _update_cases(sager: set[int], now: datetime) -> None:
    if not sager:
        return
    stored = NoegletalBidrag.objects.filter(sag_id__in=sager)
    old = [Fact(*row) for row in stored.values_list(*FACT_FIELDS)]
    stored.delete()
    new = list(collect_facts(now, sager))
    _write_facts(new)
    if Counter(old) == Counter(new):
        return
    municipality_of = municipalities()
    removed = _by_group(old, municipality_of)
    added = _by_group(new, municipality_of)
    changed = {
        key: (removed.get(key, []), added.get(key, []))
        for key in removed.keys() | added.keys()
        if Counter(removed.get(key, [])) != Counter(added.get(key, []))
    }
    if not changed:
        return
    citizens = {f.borger_id for gone, came in changed.values() for f in gone + came}
    members = _members(changed.keys(), citizens, municipality_of)
    rows = _rows(list(changed))
    updated, created, emptied = [], [], []
    for key, (gone, came) in changed.items():
        row = rows.get(key)
        if row is None:
            row = Noegletal(**dict(zip(KEY_FIELDS, key, strict=True)))
            created.append(row)
        else:
            updated.append(row)
        _correct(row, gone, came, members[key])
        if row.antal == 0:
            emptied.append(row)
    Noegletal.objects.filter(pk__in=[r.pk for r in emptied if r.pk is not None]).delete()
    Noegletal.objects.bulk_update([r for r in updated if r.antal], VALUE_FIELDS, batch_size=BATCH)
    Noegletal.objects.bulk_create([r for r in created if r.antal])


def _by_group(
    facts: list[Fact], municipality_of: Mapping[int | None, int | None]
) -> dict[GroupKey, list[Fact]]:
    groups: dict[GroupKey, list[Fact]] = defaultdict(list)
    for fact in facts:
        for key in group_keys(fact, municipality_of):
            groups[key].append(fact)
    return groups


def _members(
    keys: Iterable[GroupKey],
    citizens: set[int],
    municipality_of: Mapping[int | None, int | None],
) -> dict[GroupKey, dict[int, set[str]]]:
    """For each group, the citizens concerned that its facts, as they now stand, still count:
    each with "" (in the group) and the numbers of the sums that count them."""
    wanted = set(keys)
    members: dict[GroupKey, dict[int, set[str]]] = {key: {} for key in wanted}
    standing = NoegletalBidrag.objects.filter(borger_id__in=citizens).values_list(*FACT_FIELDS)
    for row in standing.iterator(chunk_size=BATCH):
        fact = Fact(*row)
        for key in group_keys(fact, municipality_of):
            if key in wanted:
                counted = members[key].setdefault(fact.borger_id, {""})
                if fact.taeller:
                    counted.update(str(n) for n, v in enumerate(fact.sums(), start=1) if v)
    return members


def _rows(keys: list[GroupKey]) -> dict[GroupKey, Noegletal]:
    found: dict[GroupKey, Noegletal] = {}
    for start in range(0, len(keys), 200):
        match = Q()
        for key in keys[start : start + 200]:
            match |= Q(
                **{
                    (f"{name}__isnull" if value is None else name): (
                        True if value is None else value
                    )
                    for name, value in zip(KEY_FIELDS, key, strict=True)
                }
            )
        for row in Noegletal.objects.filter(match):
            found[_key(tuple(getattr(row, name) for name in KEY_FIELDS))] = row
    return found


def _correct(
    row: Noegletal, gone: list[Fact], came: list[Fact], members: dict[int, set[str]]
) -> None:
    """The group without the facts gone and with those that came; the citizens concerned are
    counted where the standing facts count them."""
    row.antal += len(came) - len(gone)
    for number in (1, 2, 3):
        name = f"sum{number}"
        change = sum((f.sums()[number - 1] for f in came), Decimal(0)) - sum(
            (f.sums()[number - 1] for f in gone), Decimal(0)
        )
        setattr(row, name, Decimal(getattr(row, name)) + change)
    values = Counter(row.vaerdier)
    values.update(f.vaerdi for f in came if f.vaerdi is not None)
    values.subtract(f.vaerdi for f in gone if f.vaerdi is not None)
    row.vaerdier = sorted(values.elements())
    concerned = {f.borger_id for f in gone + came}

    def recount(ids: Iterable[int], part: str) -> list[int]:
        kept = set(ids) - concerned
        return sorted(kept | {b for b in concerned if part in members.get(b, set())})

    row.borger_ids = recount(row.borger_ids, "")
    row.borgere = len(row.borger_ids)
    parts = {str(n): recount(row.delmaengder.get(str(n), []), str(n)) for n in (1, 2, 3)}
    row.delmaengder = {number: ids for number, ids in parts.items() if ids}
