"""The API keeps its published contract: schemathesis generates requests from /api/schema/, valid
and invalid, and sends them through the WSGI application as a caseworker and as a provider.

Every answer must be a non-5xx whose body matches the schema for its status, and every error under
/api/ is JSON. Business refusals (400, 404, 409, ...) are fine: what is checked is that the API
says what it does. Examples are derandomized, so that a run is repeatable, and bounded per
operation to keep CI short. The world's case, citizen, order and meeting fill the parent path
parameters, so that nested operations reach real rows, not only 404s; the leaf ids stay generated.
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from assessment.models import Udvalgsmoede
from orders.models import Bestilling
from tests.api.conftest import World
from tests.catalogs import load_catalog

pytestmark = [pytest.mark.contract, pytest.mark.once]

# Per operation and role, besides schemathesis's explicit examples and coverage phase (every
# documented status and boundary): 8 keeps the suite's first pass within its time on two cores.
EXAMPLES_PER_OPERATION = 8


def errors_are_json(ctx: CheckContext, response: Response, case: Any) -> bool | None:
    """An error under /api/ is a JSON body a client can read, never Django's HTML page."""
    if response.status_code < 400:
        return None
    content_type = next(
        (values[0] for name, values in response.headers.items() if name.lower() == "content-type"),
        "",
    )
    assert content_type.startswith("application/json"), (
        f"{response.status_code} answered as {content_type!r}, not JSON"
    )
    return True


CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    errors_are_json,
]


def published_schema() -> dict[str, Any]:
    """What /api/schema/ serves, generated once at collection so that every operation becomes its
    own test (xdist spreads them) without a database behind the collection."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return dict(json.loads(OpenApiJsonRenderer().render(document)))


schema = schemathesis.openapi.from_dict(published_schema())
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def catalog(db: None, settings: Any) -> None:
    """The municipality's catalog, as in production: without it the API answers 503 on purpose
    (tests/test_catalog_not_loaded.py)."""
    settings.VUM_MUNICIPALITY = "randers"
    load_catalog()


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request, which would end the
    test's transaction; Django's own test client detaches the same receivers."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def call_as(role: str, world: World, case: Any) -> None:
    """Send the case as the world's user in `role`, with the world's rows as parents."""
    # A token of its own per example: one example may log out (DELETE /auth/token/) with it.
    _, token = AuthToken.objects.create(world.users[role])
    bestilling = Bestilling.objects.filter(sag=world.sag).first()
    moede = Udvalgsmoede.objects.order_by("pk").first()
    parents = {
        "sag_pk": world.sag.pk,
        "borger_pk": world.sag.borger_id,
        "bestilling_pk": bestilling.pk if bestilling else 0,
        "moede_pk": moede.pk if moede else 0,
    }
    resource_ids = {
        "/api/v1/sager/{id}": world.sag.pk,
        "/api/v1/borgere/{id}": world.sag.borger_id,
        "/api/v1/bestillinger/{id}": parents["bestilling_pk"],
        "/api/v1/udvalg/moeder/{id}": parents["moede_pk"],
    }
    path_parameters = case.path_parameters or {}
    for name, value in parents.items():
        if name in path_parameters:
            path_parameters[name] = value
    for prefix, value in resource_ids.items():
        if case.path.startswith(prefix) and "id" in path_parameters:
            path_parameters["id"] = value
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)


BOUNDED = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@BOUNDED
def test_as_a_caseworker(case: Any, world: World) -> None:
    call_as("sagsbehandler_i_team", world, case)


@schema.parametrize()
@BOUNDED
def test_as_a_provider(case: Any, world: World) -> None:
    call_as("udfoerer_med_bestilling", world, case)
