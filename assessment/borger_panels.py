"""What the assessment phase shows on the citizen's page, across the citizen's cases that the
user may see (`cases.borger_panels`): the services granted and in force, and the letters sent.
Each panel reads its rows in one query, however many cases the citizen has."""

from collections.abc import Sequence
from typing import Any

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from assessment.models import GRANTING_RESULTS, Afgoerelse, AfgoerelsesResultat, Forsendelse
from cases.models import Borger, Sag
from cases.panels import borger_panels
from vum.accounts.models import User


@borger_panels.register(template="assessment/_borger_bevillinger.html", position=10)
def granted_panel(user: User, borger: Borger, sager: Sequence[Sag]) -> dict[str, Any] | None:
    """The granting results of each open case's latest granting decision (a later one replaces
    it, as for the handleplan and the orders) that have taken effect, leaving out an indsats
    whose expected end has passed. A closed case's services have ended."""
    today = timezone.localdate()
    granting = AfgoerelsesResultat.objects.filter(
        afgoerelse=OuterRef("pk"), resultat__in=GRANTING_RESULTS
    )
    latest = (
        Afgoerelse.objects.filter(Exists(granting), sag=OuterRef("afgoerelse__sag"))
        .order_by("-truffet", "-pk")
        .values("pk")[:1]
    )
    bevillinger = list(
        AfgoerelsesResultat.objects.filter(
            afgoerelse__sag_id__in=[sag.pk for sag in sager if sag.is_open],
            afgoerelse=Subquery(latest),
            resultat__in=GRANTING_RESULTS,
            virkningsdato__lte=today,
        )
        .exclude(indsats__forventet_slut__lt=today)
        .select_related("afgoerelse", "kommunal_ydelse", "indsats__udfoerer")
        .order_by("afgoerelse__sag_id", "pk")
    )
    return {"bevillinger": bevillinger} if bevillinger else None


@borger_panels.register(template="assessment/_borger_breve.html", position=30)
def letters_panel(user: User, borger: Borger, sager: Sequence[Sag]) -> dict[str, Any] | None:
    """Every dispatch of a letter on the cases, as it stands by Digital Post's latest receipt
    for it, the latest first. The frozen PDF and texts are left out; the PDF is fetched by its
    own link."""
    rows = (
        Forsendelse.objects.filter(brev__sag_id__in=[sag.pk for sag in sager])
        .select_related("brev")
        .defer("brev__pdf", "brev__indhold")
        .order_by("pk")
    )
    # A receipt is a row after its dispatch, with the same message: it stands in its place.
    shown: list[Forsendelse] = []
    dispatch_at: dict[tuple[int, str, str], int] = {}
    for row in rows:
        message = (row.brev_id, row.modtager, row.reference)
        if row.kvittering and message in dispatch_at:
            shown[dispatch_at[message]] = row
        else:
            dispatch_at[message] = len(shown)
            shown.append(row)
    forsendelser = sorted(shown, key=lambda row: (row.sendt, row.pk), reverse=True)
    return {"forsendelser": forsendelser} if forsendelser else None
