"""The read-only reference-data API, mounted at /api/v1/katalog/. Any logged-in user may read it."""

from datetime import date
from typing import Any

import django_filters
from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from vum.catalog import models as m
from vum.catalog.api import serializers as s


class VersionFilter(django_filters.FilterSet):
    version = django_filters.CharFilter(help_text="Kun rækker fra denne katalogversion.")
    slug = django_filters.CharFilter()
    gyldig_paa = django_filters.DateFilter(
        method="filter_valid_on", help_text="Kun rækker, der er gyldige på denne dato."
    )
    aktuel = django_filters.BooleanFilter(
        method="filter_current", help_text="true: kun rækker, der er gyldige i dag."
    )

    def filter_valid_on(self, queryset: QuerySet[Any], name: str, value: date) -> QuerySet[Any]:
        return queryset.current(value) if value else queryset  # type: ignore[attr-defined]

    def filter_current(
        self, queryset: QuerySet[Any], name: str, value: bool | None
    ) -> QuerySet[Any]:
        return queryset.current() if value else queryset  # type: ignore[attr-defined]


def _filterset(model: type[Model], extra: dict[str, Any] | None = None) -> type[VersionFilter]:
    meta = type("Meta", (), {"model": model, "fields": ["version", "slug"]})
    return type(f"{model.__name__}Filter", (VersionFilter,), {"Meta": meta, **(extra or {})})


def catalog_viewset(
    model: type[Model],
    serializer: type[serializers.ModelSerializer[Any]],
    summary: str,
    *,
    queryset: QuerySet[Any] | None = None,
    filters: dict[str, Any] | None = None,
) -> type[viewsets.ReadOnlyModelViewSet[Any]]:
    """A list/retrieve viewset for one reference table."""
    attrs = {
        "queryset": queryset if queryset is not None else model._default_manager.all(),
        "serializer_class": serializer,
        "filterset_class": _filterset(model, filters),
        "lookup_value_converter": "int",
    }
    viewset = type(f"{model.__name__}ViewSet", (viewsets.ReadOnlyModelViewSet,), attrs)
    return extend_schema_view(
        list=extend_schema(summary=summary, tags=["katalog"]),
        retrieve=extend_schema(summary=summary, tags=["katalog"]),
    )(viewset)


KategoriViewSet = catalog_viewset(m.Kategori, s.KategoriSerializer, "FFB-kategorier")
TemaViewSet = catalog_viewset(
    m.Tema, s.TemaSerializer, "FFB-temaer", queryset=m.Tema.objects.select_related("kategori")
)
UndertemaViewSet = catalog_viewset(
    m.Undertema,
    s.UndertemaSerializer,
    "FFB-undertemaer (definition = hjælpetekst; scores = funktionsevneniveau 0-4)",
    filters={
        "tema": django_filters.NumberFilter(field_name="tema_id"),
        "scores": django_filters.BooleanFilter(),
    },
)
FunktionsevneniveauViewSet = catalog_viewset(
    m.Funktionsevneniveau, s.FunktionsevneniveauSerializer, "Funktionsevneniveauer 0-4"
)
StoettebehovViewSet = catalog_viewset(m.Stoettebehov, s.StoettebehovSerializer, "Støttebehov")
MaaltypeViewSet = catalog_viewset(m.Maaltype, s.MaaltypeSerializer, "Måltyper")
FremadrettetViewSet = catalog_viewset(m.Fremadrettet, s.FremadrettetSerializer, "Fremadrettet")
StatusPaaIndsatsViewSet = catalog_viewset(
    m.StatusPaaIndsats, s.StatusPaaIndsatsSerializer, "Status på indsats"
)
VisitationsudfaldViewSet = catalog_viewset(
    m.Visitationsudfald, s.VisitationsudfaldSerializer, "Visitationsudvalgets udfald"
)
TREE_FILTERS = {"parent": django_filters.NumberFilter(field_name="parent_id")}
MaalgruppeViewSet = catalog_viewset(
    m.Maalgruppe, s.MaalgruppeSerializer, "Målgrupper", filters=TREE_FILTERS
)
YdelseViewSet = catalog_viewset(m.Ydelse, s.YdelseSerializer, "FFB-ydelser", filters=TREE_FILTERS)
TilbudstypeViewSet = catalog_viewset(
    m.Tilbudstype, s.TilbudstypeSerializer, "Tilbudstyper", filters=TREE_FILTERS
)
LovhenvisningViewSet = catalog_viewset(
    m.Lovhenvisning,
    s.LovhenvisningSerializer,
    "Lovhenvisninger med lovtekst til breve",
    queryset=m.Lovhenvisning.objects.select_related("kommune"),
    filters={"kommune": django_filters.CharFilter(field_name="kommune__slug")},
)
KommunalYdelseViewSet = catalog_viewset(
    m.KommunalYdelse,
    s.KommunalYdelseSerializer,
    "Kommunale ydelser med hjemler, niveauer og sagsbehandlingsfrister",
    queryset=m.KommunalYdelse.objects.select_related("kommune").prefetch_related(
        "hjemler__lovhenvisning__kommune",
        "ffb_ydelser",
        "niveauer",
        "sagsbehandlingsfrister",
        "takster",
    ),
    filters={
        "kommune": django_filters.CharFilter(field_name="kommune__slug"),
        "kode": django_filters.CharFilter(),
    },
)


@extend_schema_view(
    list=extend_schema(summary="Kommuner", tags=["katalog"]),
    retrieve=extend_schema(summary="Kommune", tags=["katalog"]),
)
class KommuneViewSet(viewsets.ReadOnlyModelViewSet[m.Kommune]):
    queryset = m.Kommune.objects.all()
    serializer_class = s.KommuneSerializer
    lookup_value_converter = "int"
    filterset_fields = ["slug"]
