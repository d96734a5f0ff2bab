"""Query filters for the case lists. They narrow the user's scope, never widen it: the views
apply them to querysets already limited by the access policy."""

from django_filters import rest_framework as filters

from cases.lifecycle import Fase
from cases.models import Henvendelse, Sag
from vum.accounts.models import Team, User


class SagFilter(filters.FilterSet):
    fase = filters.ChoiceFilter(choices=Fase.choices, help_text="Kun sager i denne fase.")
    team = filters.ModelChoiceFilter(
        queryset=Team.objects.all(), help_text="Kun sager i dette team (id)."
    )
    sagsbehandler = filters.ModelChoiceFilter(
        queryset=User.objects.all(), help_text="Kun sager med denne sagsbehandler (id)."
    )
    borger = filters.NumberFilter(field_name="borger_id", help_text="Kun denne borgers sager.")

    class Meta:
        model = Sag
        fields = ["fase", "team", "sagsbehandler", "borger"]


class HenvendelseFilter(filters.FilterSet):
    borger = filters.NumberFilter(
        field_name="borger_id", help_text="Kun denne borgers henvendelser."
    )
    triage = filters.ChoiceFilter(
        choices=Henvendelse.Triage.choices, help_text="Kun henvendelser med dette udfald."
    )
    sag = filters.NumberFilter(field_name="sag_id", help_text="Kun henvendelser på denne sag.")

    class Meta:
        model = Henvendelse
        fields = ["borger", "triage", "sag"]
