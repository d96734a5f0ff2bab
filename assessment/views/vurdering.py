"""The caseworker's page for the sagsvurdering: the assessment in the method's order (situation
and purpose, goals, entitlement and support need, indsatser with price lines, civil society,
target groups, action plan), with a status box of what still blocks the decision and who may
make it.

Views only translate between HTTP and the services/selectors: the page reads through
`assessment.selectors.vurdering.sagsvurdering_overview` (audited), writes go through
assessment.services (which check the access policy and the phase, validate and audit). Objects
outside the user's scope answer 404. The sagsvurdering's own fields are one form, saved from
any of their sections, so that saving one section never loses the typing in another; the goals,
indsatser and price lines are added with forms of their own. With HTMX the part saved (and the
status box, out of band) comes back in place, without JavaScript the forms post normally. A
service's Danish ValidationError is shown on the form that caused it, with the input kept.
"""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from assessment.forms.vurdering import (
    IndsatsForm,
    MaalForm,
    PrislinjeForm,
    SagsvurderingForm,
    Valg,
    stoettebehov_label,
)
from assessment.models import Funktionsevnevurdering, Indsats, Indsatsmaal, Prislinje, Sagsvurdering
from assessment.selectors import vurdering as vurdering_selectors
from assessment.services import vurdering as vurdering_services
from assessment.views.vurdering_valg import kr, load_valg, tal
from cases import selectors as case_selectors
from cases.forms import add_service_errors
from cases.lifecycle import Fase, blockers
from cases.models import Sag
from cases.views.sag import forward_options, move_forward
from vum.access import Action, get_sag_or_404, may, request_user, require
from vum.accounts.models import Organisation
from vum.catalog.models import (
    KommunalYdelse,
    Maalgruppe,
    Maaltype,
    Tilbudstype,
    Undertema,
    Ydelse,
)
from vum.versions import StaleVersion, show_conflict

Failed = dict[str, forms.BaseForm]

# The sections that hold the sagsvurdering's own fields (one form, `SagsvurderingForm`), in the
# page's order; the goals and indsatser between them are rows with forms of their own.
OWN_SECTIONS = ["situation", "stoettebehov", "civilsamfund", "maalgruppe", "handleplan"]

# Which section of the page a failed row form belongs to.
SECTION_OF = {"maal": "maal", "indsats": "indsatser"}


def _section_of(key: str) -> str:
    return "indsatser" if key.startswith("prislinje-") else SECTION_OF.get(key, "")


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that HTMX follows as a whole-page navigation."""
    if _htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _page_url(sag: Sag, section: str = "") -> str:
    url = reverse("sagsvurdering", args=[sag.pk])
    return f"{url}#afsnit-{section}" if section else url


# The page


@dataclass
class MaalRow:
    maal: Indsatsmaal
    aktuel: Funktionsevnevurdering | None
    timer: str


@dataclass
class PrislinjeRow:
    linje: Prislinje
    antal: str
    enhedspris: str
    beloeb: str


@dataclass
class IndsatsRow:
    indsats: Indsats
    linjer: list[PrislinjeRow]
    total: str
    form: forms.BaseForm | None


def _context(
    request: HttpRequest, sag: Sag, failed: Failed, saved: dict[str, str] | None = None
) -> dict[str, Any]:
    user = request_user(request)
    kan_redigere = may(user, Action.EDIT, sag, as_loaded=True)
    i_fase = sag.fase == Fase.SAGSVURDERING
    view = vurdering_selectors.sagsvurdering_overview(user=user, sag=sag)
    vurdering = view.vurdering
    kan_vurdere = kan_redigere and i_fase and vurdering is not None
    valg = load_valg() if kan_vurdere else None
    context: dict[str, Any] = {
        "sag": sag,
        "borger": sag.borger,
        "vurdering": vurdering,
        "kan_redigere": kan_redigere,
        "i_fase": i_fase,
        "kan_vurdere": kan_vurdere,
        "kan_starte": kan_redigere and i_fase and vurdering is None,
        "saved": saved or {},
        "open_forms": {_section_of(key) for key in failed},
        # The forward moves, read once: the "Gem og ..." button and "Videre i sagen".
        "videre": forward_options(request, sag) if i_fase else [],
    }
    if vurdering is None:
        return context
    context.update(
        maal_rows=[
            MaalRow(
                maal=m,
                aktuel=m.aktuel_vurdering or view.scores.get(m.primaert_undertema_id),
                timer=tal(m.timer_pr_uge),
            )
            for m in view.maal
        ],
        timer_i_alt=tal(view.timer_i_alt),
        indsats_rows=[
            IndsatsRow(
                indsats=i,
                linjer=[
                    PrislinjeRow(
                        linje=line,
                        antal=tal(line.antal_pr_periode),
                        enhedspris=kr(line.enhedspris),
                        beloeb=kr(line.beloeb),
                    )
                    for line in i.prislinjer.all()
                ],
                total=kr(i.pris),
                form=(
                    failed.get(f"prislinje-{i.pk}")
                    or PrislinjeForm(ydelser=i.ydelser.all(), auto_id=f"id_pl{i.pk}_%s")
                    if kan_vurdere
                    else None
                ),
            )
            for i in view.indsatser
        ],
        pris_i_alt=kr(view.pris_i_alt),
        aarlig_udgift=kr(vurdering_services.yearly_cost(vurdering=vurdering)),
        primaer_maalgruppe=next((g for g in view.maalgrupper if g.primaer), None),
        andre_maalgrupper=[g for g in view.maalgrupper if not g.primaer],
        stoettebehov_tekst=(
            stoettebehov_label(vurdering.stoettebehov) if vurdering.stoettebehov else ""
        ),
        blockers=blockers(sag, "start_afgoerelse") if i_fase else [],
        route=vurdering_services.decision_route(vurdering=vurdering),
    )
    if valg is not None:
        context.update(
            vurdering_form=failed.get("vurdering")
            or SagsvurderingForm(
                initial=SagsvurderingForm.initial_for(vurdering, view.maalgrupper),
                valg=valg,
                auto_id="id_vurdering_%s",
            ),
            maal_form=failed.get("maal") or MaalForm(valg=valg, auto_id="id_maal_%s"),
            # A new indsats starts from the service applied for; the caseworker may change it.
            indsats_form=failed.get("indsats")
            or _indsats_form(valg, initial={"kommunal_ydelse": sag.kommunal_ydelse_id}),
        )
    return context


def _indsats_form(
    valg: Valg, data: Any = None, initial: dict[str, Any] | None = None
) -> forms.BaseForm:
    return IndsatsForm(data, valg=valg, initial=initial, auto_id="id_indsats_%s")


def _page(
    request: HttpRequest, sag: Sag, failed: Failed | None = None, status: int = 200
) -> HttpResponse:
    context = _context(request, sag, failed or {})
    return render(request, "assessment/vurdering.html", context, status=status)


def _section_response(
    request: HttpRequest,
    sag: Sag,
    section: str,
    *,
    key: str = "",
    failed: forms.BaseForm | None = None,
    saved: str = "",
) -> HttpResponse:
    """After a write of a row (a goal, an indsats, a price line): HTMX gets the section (and the
    status box, out of band) back; a plain post the page with the failed form, or a redirect to
    the section."""
    failed_forms = {key: failed} if failed is not None else {}
    if _htmx(request):
        context = _context(request, sag, failed_forms, {section: saved} if saved else None)
        context["section_template"] = f"assessment/_vurdering_{section}.html"
        return render(request, "assessment/_vurdering_htmx.html", context)
    if failed is not None:
        return _page(request, sag, failed_forms)
    messages.success(request, saved)
    return redirect(_page_url(sag, section))


@login_required
@require_GET
def sagsvurdering(request: HttpRequest, pk: int) -> HttpResponse:
    # The page shows the citizen's data: the case is read through the audited selector.
    return _page(request, case_selectors.sag_get(user=request_user(request), pk=pk))


# Writes


def _editable_sag(request: HttpRequest, pk: int) -> Sag:
    user = request_user(request)
    sag = get_sag_or_404(user, pk)
    require(user, Action.EDIT, sag)
    return sag


def _phase_error(request: HttpRequest, sag: Sag, exc: ValidationError) -> HttpResponse:
    """An error that belongs to no form (e.g. the case has left sagsvurdering meanwhile)."""
    messages.error(request, " ".join(exc.messages))
    return _redirect(request, _page_url(sag))


def _vurdering_or_redirect(
    request: HttpRequest, sag: Sag
) -> tuple[Sagsvurdering | None, HttpResponse | None]:
    vurdering = vurdering_services.sagsvurdering_current(sag=sag)
    if vurdering is None:
        messages.error(request, "Sagsvurderingen er ikke startet endnu.")
        return None, _redirect(request, _page_url(sag))
    return vurdering, None


@login_required
@require_POST
def sagsvurdering_start(request: HttpRequest, pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    try:
        vurdering_services.sagsvurdering_start(actor=request_user(request), sag=sag)
    except ValidationError as exc:
        return _phase_error(request, sag, exc)
    messages.success(request, "Sagsvurderingen er startet.")
    return redirect("sagsvurdering", pk=sag.pk)


def _own_response(
    request: HttpRequest,
    sag: Sag,
    section: str,
    *,
    failed: forms.BaseForm | None = None,
    saved: str = "",
    status: int = 200,
) -> HttpResponse:
    """After a save of the sagsvurdering's own fields. HTMX gets the section saved from with its
    confirmation, or the error summary at the top of the page (`HX-Retarget`), and out of band
    the rest: the form, the other sections (with their errors) and the status box. A plain post
    gets the page with the form's errors, or a redirect to the section."""
    failed_forms = {"vurdering": failed} if failed is not None else {}
    if not _htmx(request):
        if failed is not None:
            return _page(request, sag, failed_forms, status=status)
        messages.success(request, saved)
        return redirect(_page_url(sag, section))
    context = _context(request, sag, failed_forms, {section: saved} if saved else None)
    main = "form" if failed is not None else section
    context["own_parts"] = [
        (f"assessment/_vurdering_{part}.html", part != main) for part in ["form", *OWN_SECTIONS]
    ]
    response = render(request, "assessment/_vurdering_own_htmx.html", context)
    response["HX-Retarget"] = "#vurdering-form" if main == "form" else f"#afsnit-{main}"
    response["HX-Reswap"] = "outerHTML"
    return response


@login_required
@require_POST
def sagsvurdering_save(request: HttpRequest, pk: int) -> HttpResponse:
    """The page's one form for the sagsvurdering's own fields, from any section's "Gem
    sagsvurderingen" (`afsnit`: where the answer is shown) or from "Gem og ..." (`videre`: the
    move on after the save, as on the sagsåbning page)."""
    sag = _editable_sag(request, pk)
    vurdering, early = _vurdering_or_redirect(request, sag)
    if vurdering is None:
        return early  # type: ignore[return-value]
    form = SagsvurderingForm(request.POST, valg=load_valg(), auto_id="id_vurdering_%s")
    section = request.POST.get("afsnit", "")
    if section not in OWN_SECTIONS:
        section = OWN_SECTIONS[-1]  # "Gem og ..." sits in the last section
    if form.is_valid():
        fields = dict(form.cleaned_data)
        read_version = fields.pop("version")
        primaer_pk, andre_pks = fields.pop("primaer"), fields.pop("andre")
        # The choices were validated against the current catalog, so the rows exist.
        chosen = Maalgruppe.objects.current().in_bulk([primaer_pk, *andre_pks])
        try:
            vurdering_services.sagsvurdering_save(
                actor=request_user(request),
                vurdering=vurdering,
                expected_version=read_version,
                primaer=chosen.get(primaer_pk) if primaer_pk is not None else None,
                andre=[chosen[m] for m in andre_pks],
                **fields,
            )
        except StaleVersion as stale:
            current = stale.current
            saved_level = current.stoettebehov  # type: ignore[attr-defined]
            show_conflict(
                form,
                stale,
                saved={
                    "stoettebehov": getattr(saved_level, "vaerdi", None),
                    **vurdering_selectors.maalgrupper_chosen(vurdering_pk=current.pk),
                },
            )
            return _own_response(
                request, sag, section, failed=form, status=200 if _htmx(request) else 409
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _phase_error(request, sag, exc)
            add_service_errors(form, exc)
        else:
            if request.POST.get("videre"):
                messages.success(request, "Sagsvurderingen er gemt.")
                return move_forward(
                    request, sag=sag, name=request.POST["videre"], back=_page_url(sag)
                )
            return _own_response(request, sag, section, saved="Sagsvurderingen er gemt.")
    return _own_response(request, sag, section, failed=form)


@login_required
@require_POST
def maal_add(request: HttpRequest, pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    vurdering, early = _vurdering_or_redirect(request, sag)
    if vurdering is None:
        return early  # type: ignore[return-value]
    form = MaalForm(request.POST, valg=load_valg(), auto_id="id_maal_%s")
    if form.is_valid():
        data = dict(form.cleaned_data)
        # The choices were validated against the current catalog, so the rows exist.
        undertemaer = Undertema.objects.current().in_bulk(
            [data["primaert_undertema"], *data["relaterede_undertemaer"]]
        )
        udfoerer_pk = data.pop("udfoerer")
        try:
            vurdering_services.maal_add(
                actor=request_user(request),
                vurdering=vurdering,
                maalformulering=data["maalformulering"],
                maaltype=Maaltype.objects.current().get(pk=data["maaltype"]),
                primaert_undertema=undertemaer[data["primaert_undertema"]],
                forventet_niveau=data["forventet_niveau"],
                relaterede_undertemaer=[undertemaer[u] for u in data["relaterede_undertemaer"]],
                opfoelgning=data["opfoelgning"],
                opfoelgningsdato=data["opfoelgningsdato"],
                ansvarlig_for_opfoelgning=data["ansvarlig_for_opfoelgning"],
                udfoerer=Organisation.objects.get(pk=udfoerer_pk) if udfoerer_pk else None,
                timer_pr_uge=data["timer_pr_uge"],
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _phase_error(request, sag, exc)
            add_service_errors(form, exc)
        else:
            return _section_response(request, sag, "maal", saved="Indsatsmålet er tilføjet.")
    return _section_response(request, sag, "maal", key="maal", failed=form)


@login_required
@require_POST
def indsats_add(request: HttpRequest, pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    vurdering, early = _vurdering_or_redirect(request, sag)
    if vurdering is None:
        return early  # type: ignore[return-value]
    form = _indsats_form(load_valg(), request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        kommunal_pk, tilbud_pk, udfoerer_pk = (
            data.pop("kommunal_ydelse"),
            data.pop("tilbudstype"),
            data.pop("udfoerer"),
        )
        try:
            vurdering_services.indsats_add(
                actor=request_user(request),
                vurdering=vurdering,
                ydelser=list(Ydelse.objects.current().filter(pk__in=data.pop("ydelser"))),
                kommunal_ydelse=(
                    KommunalYdelse.objects.get(pk=kommunal_pk) if kommunal_pk else None
                ),
                tilbudstype=Tilbudstype.objects.get(pk=tilbud_pk) if tilbud_pk else None,
                udfoerer=Organisation.objects.get(pk=udfoerer_pk) if udfoerer_pk else None,
                **data,
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _phase_error(request, sag, exc)
            add_service_errors(form, exc)
        else:
            return _section_response(request, sag, "indsatser", saved="Indsatsen er tilføjet.")
    return _section_response(request, sag, "indsatser", key="indsats", failed=form)


@login_required
@require_POST
def prislinje_add(request: HttpRequest, pk: int, indsats_pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    vurdering, early = _vurdering_or_redirect(request, sag)
    if vurdering is None:
        return early  # type: ignore[return-value]
    indsats = vurdering.indsatser.filter(pk=indsats_pk).first()
    if indsats is None:
        raise Http404("Indsatsen findes ikke i denne sagsvurdering.")
    ydelser = list(indsats.ydelser.all())
    form = PrislinjeForm(request.POST, ydelser=ydelser, auto_id=f"id_pl{indsats.pk}_%s")
    if form.is_valid():
        data = dict(form.cleaned_data)
        ydelse_pk = data.pop("ydelse")
        ydelse = next(y for y in ydelser if y.pk == ydelse_pk)
        try:
            vurdering_services.prislinje_add(
                actor=request_user(request), indsats=indsats, ydelse=ydelse, **data
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _phase_error(request, sag, exc)
            add_service_errors(form, exc)
        else:
            return _section_response(request, sag, "indsatser", saved="Prislinjen er tilføjet.")
    return _section_response(request, sag, "indsatser", key=f"prislinje-{indsats.pk}", failed=form)
