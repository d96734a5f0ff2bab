"""Who hears of an order (the case's caseworkers and the provider's staff), and how a
notification names the citizen and the order."""

from django.urls import reverse

from cases.models import Borger, Sag
from orders.models import (
    Bestilling,
)
from vum.accounts.models import Role, User
from vum.notifications.services import Besked, notifikationer_create


def order_staff(bestilling: Bestilling) -> list[User]:
    return list(bestilling.udfoerer.staff.filter(is_active=True, role=Role.UDFOERER))


def fornavn_initialer(borger: Borger) -> str:
    """The citizen as a notification names them: first name and the initials of the last names
    ("Mads H."). A provider tells its citizens apart by it (the case number is the
    municipality's, never shown to a provider), and the e-mail copy carries no full name."""
    initials = " ".join(f"{name[0]}." for name in borger.efternavn.split())
    return f"{borger.fornavn} {initials}".strip()


def bestilling_navn(bestilling: Bestilling) -> str:
    """The order by what it delivers, from its frozen content: the municipality's service for
    each indsats (e.g. "Mestringsvejledning"), else the indsats' ydelser."""
    names: list[str] = []
    for indsats in bestilling.indhold.get("indsatser", []):
        name = indsats.get("kommunal_ydelse") or ", ".join(indsats.get("ydelser", []))
        if name and name not in names:
            names.append(name)
    # Only an order without indsatser (none is sent) lacks a name; its number is on its page.
    return " og ".join(names) or f"bestilling nr. {bestilling.pk}"


def udfoerer_link(bestilling: Bestilling, section: str) -> str:
    """Where the provider's staff find the order's `section` (e.g. "anmodninger"): on their
    page for the citizen, or their list of citizens once the order no longer gives access."""
    if not bestilling.is_active:
        return reverse("orders:udfoerer-borgere")
    return (
        reverse("orders:udfoerer-borger", args=[bestilling.sag.borger_id])
        + f"#{section}-{bestilling.pk}"
    )


def caseworkers_notify(*, sag: Sag, titel: str, tekst: str, link: str, kilde: str) -> None:
    """Tell the case's caseworkers of a provider's act. Call inside the act's transaction."""
    notifikationer_create(
        beskeder=[
            Besked(modtager=user, titel=titel, tekst=tekst, link=link, kilde=kilde)
            for user in sag.caseworkers()
        ]
    )


def order_staff_notify(
    *, bestilling: Bestilling, titel: str, tekst: str, link: str, kilde: str
) -> None:
    """Tell the provider's staff of the caseworker's act on their order. Call inside the act's
    transaction."""
    notifikationer_create(
        beskeder=[
            Besked(modtager=user, titel=titel, tekst=tekst, link=link, kilde=kilde)
            for user in order_staff(bestilling)
        ]
    )
