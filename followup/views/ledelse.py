"""The leader's dashboard: the area's figures with a chart and an accessible table each, the
filter, the exports, and the drill-down from a figure to the cases behind it.

Only a leader (Action.VIEW_DASHBOARD) reaches these pages; everyone else gets 404. The figures
are aggregates (followup.dashboard) and show no citizen; the drill-down list is a page of
citizens' cases and is audited like every other case list.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from cases.selectors import list_page, with_next_deadline
from followup.dashboard import export
from followup.dashboard.drilldown import describe, drilldown
from followup.dashboard.figures import SUPPRESS_BELOW, Filter
from followup.dashboard.panels import LONG_TABLES, dashboard, opgoerelse, whole_table
from followup.dashboard.refresh import noegletal_pending
from followup.forms import DashboardFilterForm
from followup.models import NoegletalOpgoerelse
from followup.tasks import refresh_dashboard, update_dashboard
from vum.access import Action, require
from vum.accounts.models import User
from vum.queue import enqueue_after_commit

DRILLDOWN_LIMIT = 200
DRILLDOWN_CRITERIA = (
    "fase",
    "sagsbehandler",
    "uden_sagsbehandler",
    "sag_team",
    "overskredet",
    "frist_ikke_overholdt",
    "udfoerer",
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _leader(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    require(request.user, Action.VIEW_DASHBOARD)
    return request.user


def _filter(form: DashboardFilterForm) -> Filter:
    data = form.cleaned_data
    return Filter(
        fra=data["fra"],
        til=data["til"],
        team=data.get("team"),
        ydelse=data.get("ydelse"),
        kommune=data.get("kommune"),
    )


def _bound_form(user: User, query: QueryDict) -> DashboardFilterForm:
    """The filter as asked, or the default (the last twelve months) on a first visit."""
    data = query.copy()
    if "fra" not in data and "til" not in data:
        data.update(Filter.default().params())
    return DashboardFilterForm(data, user=user)


def _leader_and_filter(
    request: HttpRequest,
) -> tuple[User, DashboardFilterForm, Filter | None]:
    """The leader, the filter form and its filter (None when the form has errors: the page
    then answers 400 with them)."""
    user = _leader(request)
    form = _bound_form(user, request.GET)
    return user, form, _filter(form) if form.is_valid() else None


def _opgoerelse() -> NoegletalOpgoerelse | None:
    """How current the figures are. Before the first rebuild, the first view starts one rather
    than waiting for the night; it creates the status row, so the views after it (a rebuild
    takes minutes on a large database) do not queue more. With changes not yet taken in, the
    view asks for an update too rather than waiting for the schedule's next turn (where tasks
    run in-process, as in the demo, that is before the figures are read)."""
    done = opgoerelse()
    if done is None:
        _status, created = NoegletalOpgoerelse.objects.get_or_create(pk=1)
        if created:
            enqueue_after_commit(refresh_dashboard)
    elif noegletal_pending():
        enqueue_after_commit(update_dashboard)
    return done


@login_required
@require_GET
def overblik(request: HttpRequest) -> HttpResponse:
    user, form, f = _leader_and_filter(request)
    if f is None:
        return render(request, "followup/dashboard.html", {"form": form}, status=400)
    current = _opgoerelse()
    fmt = request.GET.get("format")
    # An export counts each figure's citizens exactly, to suppress the small ones.
    exporting = fmt in ("csv", "xlsx")
    sections = dashboard(user=user, f=f, exact=exporting, overview=not exporting)
    filename = f"ledelsesoverblik-{f.fra:%Y%m}-{f.til:%Y%m}"
    if fmt == "csv":
        response = HttpResponse(
            "\ufeff" + export.to_csv(sections, f), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(export.to_xlsx(sections, f), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    return render(
        request,
        "followup/dashboard.html",
        {
            "form": form,
            "filter": f,
            "sections": sections,
            "filter_qs": urlencode(f.params()),
            # Reversed once: the page has hundreds of linked figures.
            "drill_url": reverse("followup:dashboard-sager"),
            "suppress_below": SUPPRESS_BELOW,
            "opgoerelse": current,
            "update_seconds": settings.VUM_NOEGLETAL_SECONDS,
        },
    )


@login_required
@require_GET
def tabel(request: HttpRequest, key: str) -> HttpResponse:
    """One long table of the overview with all its rows, under the same filter."""
    user, form, f = _leader_and_filter(request)
    if key not in LONG_TABLES:
        raise Http404("Overblikket har ingen sådan tabel.")
    if f is None:
        return render(request, "followup/dashboard_tabel.html", {"form": form}, status=400)
    found = whole_table(user=user, f=f, key=key)
    return render(
        request,
        "followup/dashboard_tabel.html",
        {
            "form": form,
            "tabel": found,
            "filter_qs": urlencode(f.params()),
            "drill_url": reverse("followup:dashboard-sager"),
            "opgoerelse": opgoerelse(),
        },
    )


@login_required
@require_GET
def sager(request: HttpRequest) -> HttpResponse:
    """The cases behind a figure: the same filter, plus the figure's criteria."""
    user, form, f = _leader_and_filter(request)
    if f is None:
        return render(request, "followup/dashboard_sager.html", {"form": form}, status=400)
    criteria = {k: request.GET[k] for k in DRILLDOWN_CRITERIA if k in request.GET}
    qs = drilldown(user, f, criteria).select_related("borger", "team", "sagsbehandler")
    total = qs.count()
    rows = list_page(
        user=user,
        rows=with_next_deadline(qs).order_by("borger__efternavn", "borger__fornavn", "pk")[
            :DRILLDOWN_LIMIT
        ],
        summary="Ledelsesoverblik: sager bag et tal",
    )
    return render(
        request,
        "followup/dashboard_sager.html",
        {
            "form": form,
            "sager": rows,
            "total": total,
            "afkortet": total > len(rows),
            "beskrivelse": describe(user, criteria),
            "tilbage_qs": urlencode(f.params()),
        },
    )
