"""The client's address, the one place it is worked out: the audit trail stamps it on every event
and django-axes locks logins out by it (AXES_CLIENT_IP_CALLABLE), so both always agree.

Behind reverse proxies REMOTE_ADDR is the nearest proxy's, and the client's is in
X-Forwarded-For, where each proxy appends the address it received the request from. Only the
last `TRUSTED_PROXY_COUNT` entries were written by our own proxies; anything left of them came
from the client, who can write what they like there. So the address is the entry that many
places from the right, and never one further left.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address: with no trusted proxy, REMOTE_ADDR; with `n`, the `n`th entry of
    X-Forwarded-For from the right. A header with fewer entries than that (the request did not
    come through all our proxies), or one whose last `n` entries are not all addresses (the
    proxies are not what the setting says), gives REMOTE_ADDR: the address the connection really
    came from, rather than anything the client wrote."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    count = int(settings.TRUSTED_PROXY_COUNT)
    if count <= 0:
        return remote
    # Several X-Forwarded-For headers arrive joined by commas, in order.
    hops = [hop.strip() for hop in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    if len(hops) < count:
        return remote
    try:
        vouched = [ipaddress.ip_address(hop) for hop in hops[-count:]]
    except ValueError:
        return remote
    # Canonical form, so that one address is one lock-out and one value in the audit log.
    return str(vouched[0])
