"""The filters of the caseworker's lists on the pages ("Mine sager", the teams' and the leader's
case lists, "Mine frister"): search, filter and sort, all from the query string so that a
filtered list can be bookmarked. Like the API's filters (cases/api/filters.py) they narrow a
queryset the access policy has already limited, and never widen it; the choices they offer
(teams, caseworkers) are the user's own scope."""

from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, F, OrderBy, OuterRef, Q, QuerySet
from django.utils import timezone

from cases.lifecycle import Fase
from cases.models import Sag
from cases.selectors import BIRTH_DATE_DIGITS
from vum.access import teams_visible_to
from vum.accounts.models import Role, User
from vum.deadlines.models import Frist


def search_cases(qs: QuerySet[Any], value: str, *, sag: str = "") -> QuerySet[Any]:
    """A case number ("12", "sag 12"), a birth date or the start of a CPR number, or words of
    the citizen's name. `sag` is the path from the rows to the case ("" for cases, "sag__" for
    deadlines)."""
    text = value.strip()
    if text.lower().startswith("sag ") and text[4:].strip().isdigit():
        return qs.filter(**{f"{sag}pk": int(text[4:].strip())})  # "sag 12": always a case
    digits = text.replace("-", "")
    if digits.isdigit():
        if len(digits) >= BIRTH_DATE_DIGITS:
            return qs.filter(**{f"{sag}borger__cpr__startswith": digits})
        return qs.filter(**{f"{sag}pk": int(digits)})
    for word in text.split():
        qs = qs.filter(
            Q(**{f"{sag}borger__fornavn__icontains": word})
            | Q(**{f"{sag}borger__efternavn__icontains": word})
        )
    return qs


def _search_filter(*, sag: str) -> django_filters.CharFilter:
    """A list's search box (`search_cases`)."""
    return django_filters.CharFilter(
        label="Søg",
        method=lambda qs, _name, value: search_cases(qs, value, sag=sag),
        help_text="Navn, fødselsdato (ddmmåå), CPR-nummer eller sagsnummer",
    )


class SortFilter(django_filters.ChoiceFilter):
    """Sorting by a named column, ascending or descending ("-frist"); empty values last either
    way, and the primary key last so that paging is stable."""

    def __init__(self, *, columns: dict[str, tuple[str, tuple[str, ...]]], **kwargs: Any) -> None:
        self.columns = columns
        choices = []
        for key, (label, _fields) in columns.items():
            choices += [(key, label), (f"-{key}", f"{label}, omvendt")]
        super().__init__(
            choices=choices, label="Sortér efter", empty_label="Listens egen orden", **kwargs
        )

    def filter(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        if not value:
            return qs
        descending = value.startswith("-")
        ordering: list[OrderBy] = [
            F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
            for name in self.columns[value.lstrip("-")][1]
        ]
        return qs.order_by(*ordering, "pk")


def _overdue(qs: QuerySet[Sag], _name: str, value: bool | None) -> QuerySet[Sag]:
    if not value:
        return qs
    overdue = Frist.objects.filter(
        sag=OuterRef("pk"), status=Frist.Status.AABEN, frist__lt=timezone.now()
    )
    return qs.filter(Exists(overdue))


# With more teams than this, a whole area's caseworkers are chosen within a team.
MANY_TEAMS = 6


def _caseworkers(request: Any) -> QuerySet[User]:
    """The caseworkers of the user's teams, or of the team chosen in the filter."""
    teams = teams_visible_to(request.user)
    chosen = request.GET.get("team", "")
    if chosen.isdigit():
        teams = teams.filter(pk=int(chosen))
    return (
        User.objects.filter(role=Role.SAGSBEHANDLER, is_active=True, teams__in=teams)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class SagListeFilter(django_filters.FilterSet):
    """The case lists. `own` is "Mine sager": the caseworker is the user, so there is nothing to
    choose there."""

    q = _search_filter(sag="")
    fase = django_filters.ChoiceFilter(
        label="Fase",
        choices=[c for c in Fase.choices if c[0] != Fase.AFSLUTTET],
        empty_label="Alle faser",
    )
    team = django_filters.ModelChoiceFilter(
        label="Team",
        empty_label="Alle teams",
        queryset=lambda request: teams_visible_to(request.user).order_by("navn"),
    )
    sagsbehandler = django_filters.ModelChoiceFilter(
        label="Sagsbehandler",
        empty_label="Alle sagsbehandlere",
        null_label="Ikke tildelt",
        queryset=_caseworkers,
    )
    overskredet = django_filters.BooleanFilter(
        label="Kun sager med en overskredet frist", method=_overdue, widget=forms.CheckboxInput
    )
    sorter = SortFilter(
        columns={
            "frist": ("Næste frist", ("naeste_frist",)),
            "borger": ("Borger", ("borger__efternavn", "borger__fornavn")),
            "fase": ("Fase", ("fase",)),
            "team": ("Team", ("team__navn",)),
            "sagsbehandler": ("Sagsbehandler", ("sagsbehandler__first_name",)),
            "oprettet": ("Oprettet", ("oprettet",)),
        },
    )

    class Meta:
        model = Sag
        fields: list[str] = []

    def __init__(self, *args: Any, own: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = self.filters["team"].get_queryset(self.request).count()
        if own or (teams > MANY_TEAMS and not self.data.get("team")):
            # A whole area's caseworkers are too many to choose among: the team comes first.
            del self.filters["sagsbehandler"]
        if teams < 2:
            del self.filters["team"]  # one team (or none) leaves nothing to choose


def _overdue_deadline(qs: QuerySet[Frist], _name: str, value: bool | None) -> QuerySet[Frist]:
    return qs.filter(frist__lt=timezone.now()) if value else qs


class FristListeFilter(django_filters.FilterSet):
    """The "Mine frister" list."""

    q = _search_filter(sag="sag__")
    art = django_filters.ChoiceFilter(
        label="Art", choices=Frist.Art.choices, empty_label="Alle arter"
    )
    overskredet = django_filters.BooleanFilter(
        label="Kun overskredne frister", method=_overdue_deadline, widget=forms.CheckboxInput
    )
    sorter = SortFilter(
        columns={
            "frist": ("Frist", ("frist",)),
            "borger": ("Borger", ("sag__borger__efternavn", "sag__borger__fornavn")),
            "art": ("Art", ("art",)),
            "sag": ("Sag", ("sag_id",)),
        },
    )

    class Meta:
        model = Frist
        fields: list[str] = []
