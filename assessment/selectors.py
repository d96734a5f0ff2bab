"""Reads of the sagsoplysning. Reads of a citizen's data leave an audit event."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from assessment.models import (
    Afgoerelse,
    Brev,
    Dagsordenspunkt,
    Funktionsevnevurdering,
    Indhentning,
    Indsats,
    Indsatsmaal,
    Indstilling,
    Klage,
    Partshoering,
    Prislinje,
    Sagsvurdering,
    TemaOplysning,
    Udredning,
    Udvalgsmoede,
    Visitationsudvalg,
    VurderingMaalgruppe,
)
from cases.models import Sag
from vum.access import NotFoundForUser, sager_visible_to
from vum.accounts.models import Role, User
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


def sag_partshoeringer(*, sag: Sag) -> QuerySet[Partshoering]:
    """Not audited: the API's list and `partshoering_get` audit what is shown. The letter itself
    is left out (deferred); it is read only by `partshoering_brev`."""
    return Partshoering.objects.filter(sag=sag).select_related("sendt_af").defer("brev_pdf")


def partshoering_get(*, user: User, sag: Sag, pk: object) -> Partshoering:
    hoering = get_object_or_404(sag_partshoeringer(sag=sag), pk=pk)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=hoering,
        borger_id=sag.borger_id,
        summary="Partshøring vist",
    )
    return hoering


def partshoering_brev(*, user: User, sag: Sag, pk: object) -> Partshoering:
    """The hearing with its letter (PDF), for download: audited as an export."""
    hoering = get_object_or_404(Partshoering.objects.filter(sag=sag), pk=pk)
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=hoering,
        borger_id=sag.borger_id,
        summary=f"Partshøringsbrev hentet (SHA-256 {hoering.brev_sha256[:12]}…)",
    )
    return hoering


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


def partshoeringer(*, user: User, sag: Sag) -> list[Partshoering]:
    """The case's hearings without their letters (`partshoering_brev` reads a letter)."""
    rows = list(sag.partshoeringer.select_related("sendt_af").defer("brev_pdf"))
    if rows:
        audit_record_many(
            actor=user, action=AuditAction.LIST, objects=rows, summary="Partshøringer vist"
        )
    return rows


# Reads for the sagsvurdering page


@dataclass
class SagsvurderingView:
    vurdering: Sagsvurdering | None
    maal: list[Indsatsmaal]
    indsatser: list[Indsats]
    maalgrupper: list[VurderingMaalgruppe]
    scores: dict[int, Funktionsevnevurdering]

    @property
    def timer_i_alt(self) -> Decimal:
        return sum((m.timer_pr_uge or Decimal(0) for m in self.maal), Decimal(0))

    @property
    def pris_i_alt(self) -> Decimal:
        return sum((i.pris for i in self.indsatser), Decimal(0))


def sagsvurdering_overview(*, user: User, sag: Sag) -> SagsvurderingView:
    """The case's current sagsvurdering with its goals, indsatser (with ydelser and price lines)
    and target groups, in a fixed number of queries however many there are. Audited as a read
    of the sagsvurdering."""
    vurdering = (
        sag.sagsvurderinger.select_related("stoettebehov").order_by("-oprettet", "-id").first()
    )
    if vurdering is None:
        return SagsvurderingView(vurdering=None, maal=[], indsatser=[], maalgrupper=[], scores={})
    maal = list(
        vurdering.maal.select_related(
            "maaltype", "primaert_undertema__tema", "aktuel_vurdering__niveau", "udfoerer"
        ).prefetch_related("relaterede_undertemaer")
    )
    indsatser = list(
        vurdering.indsatser.select_related(
            "kommunal_ydelse", "tilbudstype", "udfoerer"
        ).prefetch_related(
            "ydelser",
            Prefetch("prislinjer", queryset=Prislinje.objects.select_related("ydelse")),
        )
    )
    maalgrupper = list(
        vurdering.maalgrupper.select_related("maalgruppe").order_by("-primaer", "maalgruppe__navn")
    )
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=vurdering,
        borger_id=sag.borger_id,
        summary="Sagsvurdering vist",
    )
    return SagsvurderingView(
        vurdering=vurdering,
        maal=maal,
        indsatser=indsatser,
        maalgrupper=maalgrupper,
        scores=current_scores(sag=sag),
    )


# Reads for the API: one indstilling


def _sag_indstillinger(sag: Sag) -> QuerySet[Indstilling]:
    return (
        Indstilling.objects.filter(sag=sag)
        .select_related("oprettet_af")
        .prefetch_related(
            "indhentede_tilbud",
            Prefetch(
                "dagsordenspunkter",
                queryset=Dagsordenspunkt.objects.select_related("moede__udvalg", "udfald")
                .defer("moede__referat_pdf")
                .order_by("moede__dato", "id"),
            ),
        )
        .defer("pdf")
    )


def indstilling_get(*, user: User, sag: Sag, pk: object) -> Indstilling:
    """One of the case's indstillinger (404 if it is not the case's), with its tilbud and agenda
    items, without its PDF. Audited as a read."""
    indstilling = get_object_or_404(_sag_indstillinger(sag), pk=pk)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=indstilling,
        borger_id=sag.borger_id,
        summary="Indstilling vist",
    )
    return indstilling


def indstilling_shown(*, sag: Sag, pk: object) -> Indstilling:
    """`indstilling_get` without the audit: for the answer to a write the service audited."""
    return get_object_or_404(_sag_indstillinger(sag), pk=pk)


# Indstilling and the visitationsudvalg (the pages, and the API's lists and meetings)


def sag_indstillinger(*, user: User, sag: Sag) -> list[Indstilling]:
    """The case's indstillinger, newest first, each with its agenda items (and the committee's
    outcome and reasons) and its tilbud. The frozen PDFs are left out (`indstilling_pdf` reads
    one). Audited as a list of the case's recommendations."""
    punkter = Dagsordenspunkt.objects.select_related("moede__udvalg", "udfald").order_by(
        "moede__dato", "id"
    )
    rows = list(
        sag.indstillinger.defer("pdf")
        .select_related("oprettet_af")
        .prefetch_related(
            Prefetch("dagsordenspunkter", queryset=punkter.defer("moede__referat_pdf")),
            "indhentede_tilbud",
        )
    )
    if rows:
        audit_record_many(
            actor=user, action=AuditAction.LIST, objects=rows, summary="Indstillinger vist"
        )
    return rows


def indstilling_sections(*, user: User, indstilling: Indstilling) -> dict[str, Any]:
    """The indstilling's sections as a page (the same context as its PDF). Audited as a read."""
    # Imported here: assessment.services imports this module.
    from assessment.services import indstilling_context

    context = indstilling_context(indstilling=indstilling, actor=user)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=indstilling,
        borger_id=indstilling.sag.borger_id,
        summary="Indstilling vist",
    )
    return context


def indstilling_pdf(*, user: User, indstilling_id: int) -> Indstilling:
    """The frozen PDF of an indstilling that was sent, for download: audited as an export. The
    caller has checked that the user may see it."""
    indstilling = get_object_or_404(
        Indstilling.objects.select_related("sag").exclude(pdf_sha256=""), pk=indstilling_id
    )
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=indstilling,
        borger_id=indstilling.sag.borger_id,
        summary=f"Indstilling hentet som PDF (SHA-256 {indstilling.pdf_sha256[:12]}…)",
    )
    return indstilling


def udvalgsmoeder_visible_to(user: User) -> QuerySet[Udvalgsmoede]:
    """The meetings of the committees the user sits on; none for other roles. The minutes' PDF
    is left out (`referat_pdf` reads it)."""
    if not user.is_active or user.role != Role.VISITATIONSUDVALG:
        return Udvalgsmoede.objects.none()
    return Udvalgsmoede.objects.filter(
        udvalg__in=Visitationsudvalg.objects.filter(medlemmer=user)
    ).defer("referat_pdf")


@dataclass
class MineMoeder:
    kommende: list[Udvalgsmoede]
    seneste: list[Udvalgsmoede]


def mine_moeder(*, user: User, recent: int = 12) -> MineMoeder:
    """'Mine møder': the user's committees' upcoming meetings and the most recent ones, each
    with the number of agenda items and how many are decided. Counts only, no citizen data: not
    audited."""
    today = timezone.localdate()
    qs = (
        udvalgsmoeder_visible_to(user)
        .select_related("udvalg")
        .annotate(
            antal_punkter=Count("punkter"),
            antal_behandlet=Count("punkter", filter=Q(punkter__udfald__isnull=False)),
        )
    )
    return MineMoeder(
        kommende=list(qs.filter(dato__gte=today).order_by("dato", "udvalg__navn")),
        seneste=list(qs.filter(dato__lt=today).order_by("-dato", "udvalg__navn")[:recent]),
    )


def udvalgsmoede_get(*, user: User, pk: int | str) -> Udvalgsmoede:
    """A meeting of one of the user's committees; any other meeting is not found (404)."""
    try:
        return udvalgsmoeder_visible_to(user).select_related("udvalg").get(pk=pk)
    except (Udvalgsmoede.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundForUser("Mødet findes ikke eller er ikke tilgængeligt for dig.") from exc


def dagsorden(*, user: User, moede: Udvalgsmoede) -> list[Dagsordenspunkt]:
    """The meeting's agenda in the order the items were put on it, with each citizen and
    indstilling (without its PDF) and any outcome. Each item shows a citizen: one LIST event per
    item's case, in one INSERT."""
    punkter = list(
        moede.punkter.select_related(
            "sag__borger",
            "sag__sagsbehandler",
            "sag__team",
            "indstilling",
            "udfald",
            "behandlet_af",
        )
        .defer("indstilling__pdf")
        .order_by("id")
    )
    audit_record_many(
        actor=user,
        action=AuditAction.LIST,
        objects=[p.sag for p in punkter],
        summary=f"Dagsorden: {moede}",
    )
    return punkter


def dagsordenspunkt_get(*, moede: Udvalgsmoede, pk: int | str) -> Dagsordenspunkt:
    """One item of a meeting already checked with `udvalgsmoede_get`. Not audited: the caller
    audits what it shows."""
    try:
        return moede.punkter.select_related("sag__borger", "udfald").get(pk=pk)
    except (Dagsordenspunkt.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundForUser("Punktet findes ikke på dette møde.") from exc


def referat_pdf(*, user: User, moede_id: int) -> Udvalgsmoede:
    """A closed meeting with its minutes (PDF), for download; the caller has checked that the
    user sits on the committee. The minutes name every citizen on the agenda: one EXPORT event
    per item's case, in one INSERT."""
    moede = get_object_or_404(
        Udvalgsmoede.objects.select_related("udvalg").exclude(referat_sha256=""), pk=moede_id
    )
    sager = [p.sag for p in moede.punkter.select_related("sag").order_by("id")]
    audit_record_many(
        actor=user,
        action=AuditAction.EXPORT,
        objects=sager,
        summary=f"Referat af {moede} hentet (SHA-256 {moede.referat_sha256[:12]}…)",
    )
    return moede


def kommende_moeder(*, today: date | None = None) -> list[Udvalgsmoede]:
    """The meetings an indstilling can be put on: not held yet and not closed, soonest first.
    Dates and committee names only: not audited."""
    today = today or timezone.localdate()
    return list(
        Udvalgsmoede.objects.filter(dato__gte=today, afsluttet__isnull=True)
        .select_related("udvalg")
        .defer("referat_pdf")
        .order_by("dato", "udvalg__navn")
    )


# Afgørelse, letters and complaints (the API)


def sag_afgoerelser_qs(*, sag: Sag) -> QuerySet[Afgoerelse]:
    """Not audited: for lookups before a write (the service audits) and the answer to it."""
    return (
        Afgoerelse.objects.filter(sag=sag)
        .select_related("sag", "vurdering", "oprettet_af")
        .prefetch_related(
            "resultater", Prefetch("breve", queryset=Brev.objects.defer("pdf").order_by("id"))
        )
    )


def sag_afgoerelser(*, user: User, sag: Sag) -> list[Afgoerelse]:
    """The case's decisions, newest first, with their results. Audited as a list."""
    rows = list(sag_afgoerelser_qs(sag=sag))
    if rows:
        audit_record_many(
            actor=user, action=AuditAction.LIST, objects=rows, summary="Afgørelser vist"
        )
    return rows


def afgoerelse_get(*, user: User, sag: Sag, pk: object) -> Afgoerelse:
    afgoerelse = get_object_or_404(sag_afgoerelser_qs(sag=sag), pk=pk)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=afgoerelse,
        borger_id=sag.borger_id,
        summary="Afgørelse vist",
    )
    return afgoerelse


def afgoerelse_letter_defaults(*, user: User, sag: Sag, pk: object) -> dict[str, str]:
    """The letter's default texts for a decision of the case. Audited as a read."""
    from assessment.services import afgoerelse_letter_texts

    afgoerelse = get_object_or_404(Afgoerelse.objects.filter(sag=sag), pk=pk)
    texts = afgoerelse_letter_texts(afgoerelse=afgoerelse)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=afgoerelse,
        borger_id=sag.borger_id,
        summary="Afgørelsesbrevets tekster vist",
    )
    return texts


def afgoerelse_letter_preview(
    *, user: User, afgoerelse: Afgoerelse, tekster: dict[str, str]
) -> bytes:
    """The letter as it would be sent with these texts (nothing stored). Audited as a read."""
    from assessment.services import afgoerelse_preview

    pdf = afgoerelse_preview(actor=user, afgoerelse=afgoerelse, tekster=tekster)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=afgoerelse,
        borger_id=afgoerelse.sag.borger_id,
        summary="Afgørelsesbrev vist som forhåndsvisning",
    )
    return pdf


def sag_breve_qs(*, sag: Sag) -> QuerySet[Brev]:
    """Not audited; the frozen PDF is left out (`brev_pdf` reads it)."""
    return (
        Brev.objects.filter(sag=sag)
        .select_related("oprettet_af")
        .prefetch_related("forsendelser")
        .defer("pdf")
    )


def brev_get(*, user: User, sag: Sag, pk: object) -> Brev:
    brev = get_object_or_404(sag_breve_qs(sag=sag), pk=pk)
    audit_record(
        actor=user, action=AuditAction.VIEW, obj=brev, borger_id=sag.borger_id, summary="Brev vist"
    )
    return brev


def brev_pdf(*, user: User, sag: Sag, pk: object) -> Brev:
    """The frozen letter (PDF), for download: audited as an export."""
    brev = get_object_or_404(Brev.objects.filter(sag=sag), pk=pk)
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=brev,
        borger_id=sag.borger_id,
        summary=f"Brev hentet som PDF (SHA-256 {brev.sha256[:12]}…)",
    )
    return brev


def sag_klager_qs(*, sag: Sag) -> QuerySet[Klage]:
    """Not audited: for lookups before a write and the answer to it."""
    return Klage.objects.filter(sag=sag).select_related("registreret_af")


def sag_klager(*, user: User, sag: Sag) -> list[Klage]:
    rows = list(sag_klager_qs(sag=sag))
    if rows:
        audit_record_many(actor=user, action=AuditAction.LIST, objects=rows, summary="Klager vist")
    return rows


def klage_get(*, user: User, sag: Sag, pk: object) -> Klage:
    klage = get_object_or_404(sag_klager_qs(sag=sag), pk=pk)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=klage,
        borger_id=sag.borger_id,
        summary="Klage vist",
    )
    return klage
