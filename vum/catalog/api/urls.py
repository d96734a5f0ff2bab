"""Routes of the reference-data API, mounted at /api/v1/katalog/."""

from rest_framework.routers import SimpleRouter
from rest_framework.viewsets import ViewSetMixin

from vum.catalog.api import views

router = SimpleRouter(use_regex_path=False)
VIEWSETS: list[tuple[str, type[ViewSetMixin]]] = [
    ("kategorier", views.KategoriViewSet),
    ("temaer", views.TemaViewSet),
    ("undertemaer", views.UndertemaViewSet),
    ("funktionsevneniveauer", views.FunktionsevneniveauViewSet),
    ("stoettebehov", views.StoettebehovViewSet),
    ("maaltyper", views.MaaltypeViewSet),
    ("fremadrettet", views.FremadrettetViewSet),
    ("status-paa-indsats", views.StatusPaaIndsatsViewSet),
    ("visitationsudfald", views.VisitationsudfaldViewSet),
    ("maalgrupper", views.MaalgruppeViewSet),
    ("ydelser", views.YdelseViewSet),
    ("tilbudstyper", views.TilbudstypeViewSet),
    ("kommuner", views.KommuneViewSet),
    ("lovhenvisninger", views.LovhenvisningViewSet),
    ("kommunale-ydelser", views.KommunalYdelseViewSet),
]
for prefix, viewset in VIEWSETS:
    router.register(prefix, viewset, basename=f"katalog-{prefix}")

urlpatterns = router.urls
