"""Documents frozen with a citizen's address before CPR protected it.

A decision letter, a hearing's letter and a handleplan version are the case's record as they
were sent: never changed, and never rendered again (today's data would not make the letter the
citizen got). One that printed the citizen's address before vum learned of their name and
address protection shows it still (`Borger.shows_protected_address`). The municipality may know
a protected address for its own work; the protection forbids handing it on. So its staff can
still open the record, but only by a request that says they know what it shows, and the audit
trail says that they did: the web asks on a page of its own (`confirmation_page`, then a POST),
the API by the header `CONFIRM_HEADER` (409 without it: a header, not a query parameter, so that
a link cannot confirm on a logged-in user's behalf). The orders a provider gets
are rendered without the address instead (orders.services.bestilling); a provider is never
handed it.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.request import Request

CONFIRM_HEADER = "X-Bekraeft-Adressebeskyttelse"
CONFIRMED = "ja"


class AddressNotConfirmed(Exception):
    """The document may show an address CPR protects since, and the request did not say that
    the user knows it."""

    def __init__(self) -> None:
        super().__init__(
            "Borgeren har navne- og adressebeskyttelse, og dokumentet blev låst, før vum fik det "
            "at vide: det viser borgerens adresse, som den var dengang. Adressen må ikke gives "
            f"videre. Hent det med headeren {CONFIRM_HEADER}: {CONFIRMED}, hvis du har brug for "
            "det i dit arbejde; det registreres i revisionssporet."
        )


def protected_address_note(*, shows: bool, confirmed: bool) -> str:
    """What the audit trail adds to the download of a document that `shows` a protected
    address, or not: nothing when it does not. Raises AddressNotConfirmed when it does and the
    request did not confirm."""
    if not shows:
        return ""
    if not confirmed:
        raise AddressNotConfirmed()
    return ", med adresse fra før navne- og adressebeskyttelsen (bekræftet)"


def api_confirmed(request: Request) -> bool:
    return request.headers.get(CONFIRM_HEADER, "").strip().lower() == CONFIRMED


def confirmation_page(request: HttpRequest, *, document: str, back: str) -> HttpResponse:
    """The page that asks before a document showing a protected address is handed out: its
    button posts to the same address, which then serves the document."""
    response = render(
        request,
        "beskyttet_dokument.html",
        {"document": document, "back": back, "action": request.get_full_path()},
    )
    response["Cache-Control"] = "no-store"
    return response
