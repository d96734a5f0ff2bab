"""Reads of the sagsoplysning. Reads of a citizen's data leave an audit event."""

from dataclasses import dataclass, field

from assessment.models import Funktionsevnevurdering, TemaOplysning, Udredning
from cases.models import Sag
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record
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
