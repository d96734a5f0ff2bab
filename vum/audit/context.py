"""Where the current request came from, so services can stamp audit events without it."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestOrigin:
    ip_address: str | None
    user_agent: str


SYSTEM_ORIGIN = RequestOrigin(ip_address=None, user_agent="system")

current_origin: ContextVar[RequestOrigin] = ContextVar("vum_request_origin", default=SYSTEM_ORIGIN)
