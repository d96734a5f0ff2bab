"""The API schema documents the Idempotency-Key header on every POST (drf-spectacular
postprocessing hook)."""

from typing import Any

from vum.idempotency.middleware import HEADER, MAX_KEY_LENGTH, REPLAYED_HEADER

PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    "description": (
        "En nøgle, klienten vælger (fx et UUID), som gør anmodningen sikker at gentage: en "
        "gentagelse med samme nøgle får det første svar igen (med headeren "
        f"{REPLAYED_HEADER}: true) uden at blive udført igen. Samme nøgle til en anden "
        "anmodning giver 422. Nøglen huskes i 24 timer."
    ),
}


# The token login: its answer is never stored (vum/idempotency/middleware.py).
NOT_IDEMPOTENT = {"/api/v1/auth/token/"}


def add_idempotency_key(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    for path, operations in result.get("paths", {}).items():
        post = operations.get("post")
        if post is not None and path not in NOT_IDEMPOTENT:
            post.setdefault("parameters", []).append(PARAMETER)
    return result
