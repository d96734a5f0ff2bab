"""Reads of the sagsoplysning: the udredning on the FFB structure, current scores and their
history, earlier udredninger and requests for information."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from assessment.models import Funktionsevnevurdering, Indhentning, TemaOplysning, Udredning
from cases.models import Sag
from vum.access import sager_visible_to
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record, audit_record_many
from vum.catalog.models import Funktionsevneniveau, Kategori, Tema, Undertema


def current_scores(*, sag: Sag) -> dict[int, Funktionsevnevurdering]:
    """The latest score of each sub-theme across the case's udredninger, by sub-theme id."""
    latest: dict[int, Funktionsevnevurdering] = {}
    scores = (
        Funktionsevnevurdering.objects.filter(udredning__sag=sag)
        .select_related("niveau", "vurderet_af")
        .order_by("undertema_id", "-vurderingsdato", "-id")
    )
    for score in scores:
        latest.setdefault(score.undertema_id, score)
    return latest


@dataclass
class TemaView:
    tema: Tema
    oplysning: TemaOplysning | None
    undertemaer: list[Undertema]
    scores: dict[int, Funktionsevnevurdering] = field(default_factory=dict)


@dataclass
class KategoriView:
    kategori: Kategori
    temaer: list[TemaView]
    delanalyse: str


@dataclass
class UdredningView:
    udredning: Udredning | None
    kategorier: list[KategoriView]
    niveauer: list[Funktionsevneniveau]


def udredning_overview(*, user: User, sag: Sag) -> UdredningView:
    """The whole udredning on the FFB structure, in the recommended order of work, with each
    sub-theme's current score. Audited as a read of the case's udredning."""
    udredning = sag.udredninger.first()
    oplysninger = (
        {
            o.tema_id: o
            for o in udredning.temaer.prefetch_related("kilder", "fremhaevede_undertemaer")
        }
        if udredning
        else {}
    )
    delanalyser = {d.kategori_id: d.tekst for d in udredning.delanalyser.all()} if udredning else {}
    scores = current_scores(sag=sag)
    kategorier = []
    for kategori in Kategori.objects.current().order_by("raekkefoelge"):
        temaer = []
        for tema in Tema.objects.current().filter(kategori=kategori).order_by("raekkefoelge"):
            subs = list(Undertema.objects.current().filter(tema=tema).order_by("raekkefoelge"))
            temaer.append(
                TemaView(
                    tema=tema,
                    oplysning=oplysninger.get(tema.pk),
                    undertemaer=subs,
                    scores={u.pk: scores[u.pk] for u in subs if u.pk in scores},
                )
            )
        kategorier.append(
            KategoriView(
                kategori=kategori, temaer=temaer, delanalyse=delanalyser.get(kategori.pk, "")
            )
        )
    if udredning is not None:
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            obj=udredning,
            borger_id=sag.borger_id,
            summary="Udredning vist",
        )
    return UdredningView(
        udredning=udredning,
        kategorier=kategorier,
        niveauer=list(Funktionsevneniveau.objects.current().order_by("vaerdi")),
    )


# Reads for the API's lists and single objects under a case


def sag_funktionsevnevurderinger(
    *, sag: Sag, undertema_id: int | None = None
) -> QuerySet[Funktionsevnevurdering]:
    """Every score of the case across its udredninger, newest first. Not audited: the API's
    list audits the page it shows (`cases.selectors.sag_list_page`)."""
    qs = Funktionsevnevurdering.objects.filter(udredning__sag=sag).select_related(
        "undertema__tema", "niveau", "vurderet_af"
    )
    if undertema_id is not None:
        qs = qs.filter(undertema_id=undertema_id)
    return qs.order_by("-vurderingsdato", "-id")


def sag_indhentninger(*, sag: Sag) -> QuerySet[Indhentning]:
    """Not audited: the API's list audits the page it shows."""
    return Indhentning.objects.filter(sag=sag).select_related("anmodet_af")


# Reads for the caseworker's pages


def score_history(*, user: User, sag: Sag) -> dict[int, list[Funktionsevnevurdering]]:
    """Every score of the case, newest first, by sub-theme id: one query however many there are.
    Audited as a read of the scores."""
    history: dict[int, list[Funktionsevnevurdering]] = {}
    scores = (
        Funktionsevnevurdering.objects.filter(udredning__sag=sag)
        .select_related("niveau", "vurderet_af")
        .order_by("undertema_id", "-vurderingsdato", "-id")
    )
    for score in scores:
        history.setdefault(score.undertema_id, []).append(score)
    if history:
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            obj=sag,
            borger_id=sag.borger_id,
            summary="Vurderinger af funktionsevne vist",
        )
    return history


def earlier_udredninger(*, user: User, sag: Sag) -> list[Udredning]:
    """The citizen's udredninger on their other cases that the user may see: the ones a new
    udredning may start from (with the citizen's consent)."""
    rows = list(
        Udredning.objects.filter(sag__borger_id=sag.borger_id, sag__in=sager_visible_to(user))
        .exclude(sag=sag)
        .select_related("sag")
    )
    if rows:
        audit_record_many(
            actor=user, action=AuditAction.LIST, objects=rows, summary="Tidligere udredninger vist"
        )
    return rows


def indhentninger(*, user: User, sag: Sag) -> list[Indhentning]:
    # Through the case's related manager, so each row knows its case (and citizen) for the audit.
    rows = list(sag.indhentninger.select_related("anmodet_af"))
    if rows:
        audit_record_many(
            actor=user, action=AuditAction.LIST, objects=rows, summary="Indhentninger vist"
        )
    return rows
