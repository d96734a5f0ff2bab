"""Routes of the follow-up API, mounted at /api/v1/ before orders.api, assessment.api and
cases.api.

No route overlaps theirs: none of them has anything under sager/<sag_pk>/opfoelgninger/ or
udfoerer/.
"""

from rest_framework.routers import SimpleRouter

from followup.api.views.opfoelgning import OpfoelgningViewSet
from followup.api.views.statusnotat import UdfoererOpfoelgningViewSet

# Path converters rather than regexes, so the OpenAPI schema knows the ids are integers.
router = SimpleRouter(use_regex_path=False)
router.register("sager/<int:sag_pk>/opfoelgninger", OpfoelgningViewSet, basename="api-opfoelgning")
router.register(
    "udfoerer/opfoelgninger",
    UdfoererOpfoelgningViewSet,
    basename="api-udfoerer-opfoelgning",
)

urlpatterns = [*router.urls]
