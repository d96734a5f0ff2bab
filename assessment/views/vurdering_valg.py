"""What the sagsvurdering page shows in its forms and figures: the choices from the catalogs
(the FFB goals, sub-themes and levels, the services, offer types and target groups, the
municipal services and the providers) and amounts and numbers in the Danish format.

Read by `assessment.views.vurdering`; no access checks and no writes here.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from assessment.forms.vurdering import Valg
from vum.accounts.models import Organisation
from vum.catalog.models import (
    Funktionsevneniveau,
    Maalgruppe,
    Maaltype,
    Stoettebehov,
    Tilbudstype,
    Undertema,
    Ydelse,
)
from vum.catalog.selectors import kommunale_ydelser
from vum.templatetags.dansk_tal import kroner_tekst

# Danish number format: "143.000 kr.", "1.234,50 kr.", "3,5".


def kr(amount: Decimal) -> str:
    """An amount in kroner, whole ones without øre: "143.000 kr.", "1.234,50 kr."."""
    return kroner_tekst(amount, 0 if amount == amount.to_integral() else 2)


def tal(value: Decimal | None) -> str:
    """A number the Danish way ("3,5"), without trailing zeros; empty for None."""
    if value is None:
        return ""
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}".rstrip("0")
    return text.replace(".", ",")


# Catalog choices: a node of a tree is labelled with its path below the top-level node.

PATH_SEPARATOR = " \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} "


def tree_choices(
    rows: Sequence[Any], selectable: Callable[[Any, bool], bool], label: Callable[[Any], str]
) -> list[Any]:
    """Choices from a catalog tree, grouped by its top-level node: the selectable nodes labelled
    with their path below the top. A selectable top-level node without selectable descendants
    stands alone."""
    children: dict[int | None, list[Any]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r.raekkefoelge, r.pk)):
        children[row.parent_id].append(row)

    def walk(node: Any, path: list[str]) -> list[tuple[int, str]]:
        found = []
        kids = children.get(node.pk, [])
        if selectable(node, bool(kids)):
            found.append((node.pk, PATH_SEPARATOR.join([*path, label(node)])))
        for kid in kids:
            found.extend(walk(kid, [*path, node.navn] if path or node.parent_id else []))
        return found

    result: list[Any] = []
    for root in children.get(None, []):
        below = [c for kid in children.get(root.pk, []) for c in walk(kid, [])]
        if below:
            result.append((root.navn, below))
        elif selectable(root, False):
            result.append((root.pk, label(root)))
    return result


def with_law(row: Ydelse | Tilbudstype) -> str:
    """A service's or offer type's name with its legal basis, when it has one."""
    return f"{row.navn} ({row.lovgrundlag})" if row.lovgrundlag else row.navn


def load_valg() -> Valg:
    """The choices of the page's forms, from the current catalogs."""
    undertemaer = list(
        Undertema.objects.current()
        .select_related("tema__kategori")
        .order_by("tema__kategori__raekkefoelge", "tema__raekkefoelge", "raekkefoelge")
    )
    by_tema: dict[str, list[tuple[int, str]]] = {}
    primary: dict[str, list[tuple[int, str]]] = {}
    for u in undertemaer:
        by_tema.setdefault(u.tema.navn, []).append((u.pk, u.navn))
        if u.scores:  # the Aktivitet og deltagelse sub-themes, the only ones a goal is set on
            primary.setdefault(u.tema.navn, []).append((u.pk, u.navn))
    return Valg(
        maaltyper=[(m.pk, m.navn) for m in Maaltype.objects.current().order_by("raekkefoelge")],
        primaere_undertemaer=list(primary.items()),
        undertemaer=list(by_tema.items()),
        niveauer=[
            (n.vaerdi, f"{n.vaerdi} · {n.navn}")
            for n in Funktionsevneniveau.objects.current().order_by("vaerdi")
        ],
        stoettebehov=list(Stoettebehov.objects.current().order_by("vaerdi")),
        ydelser=tree_choices(
            list(Ydelse.objects.current()), lambda _n, has_kids: not has_kids, with_law
        ),
        kommunale_ydelser=[(k.pk, f"{k.kode} · {k.navn}") for k in kommunale_ydelser()],
        tilbudstyper=tree_choices(
            list(Tilbudstype.objects.current()), lambda _n, has_kids: not has_kids, with_law
        ),
        udfoerere=[(o.pk, o.navn) for o in Organisation.objects.order_by("navn")],
        maalgrupper=tree_choices(
            list(Maalgruppe.objects.current()), lambda n, _k: n.kan_vaelges, lambda n: n.navn
        ),
    )
