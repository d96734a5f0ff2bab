"""The caseworker's page for the sagsvurdering: the assessment in the method's order (situation
and purpose, goals, entitlement and support need, indsatser with price lines, civil society,
target groups, action plan), with a status box of what still blocks the decision and who may
make it.

Views only translate between HTTP and the services/selectors: the page reads through
`assessment.selectors.vurdering.sagsvurdering_overview` (audited), writes go through
assessment.services (which check the access policy and the phase, validate and audit). Objects
outside the user's scope answer 404. Each section is its own form with its own URL; with HTMX
the section (and the status box, out of band) comes back in place, without JavaScript the form
posts normally. A service's Danish ValidationError is shown on the form that caused it, with the
input kept.
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
    BerettigelseForm,
    CivilsamfundForm,
    HandleplanForm,
    IndsatsForm,
    MaalForm,
    MaalgruppeForm,
    PrislinjeForm,
    SituationForm,
    StoettebehovForm,
    Valg,
    VurderingSectionForm,
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
from vum.access import Action, get_sag_or_404, may, request_user, require
from vum.accounts.models import Organisation
from vum.catalog.models import (
    KommunalYdelse,
    Maalgruppe,
    Maaltype,
    Stoettebehov,
    Tilbudstype,
    Undertema,
    Ydelse,
)
from vum.versions import StaleVersion, show_conflict

Failed = dict[str, forms.BaseForm]

# Which section of the page a failed form belongs to.
SECTION_OF = {
    "situation": "situation",
    "maal": "maal",
    "berettigelse": "stoettebehov",
    "stoettebehov": "stoettebehov",
    "indsats": "indsatser",
    "civilsamfund": "civilsamfund",
    "maalgruppe": "maalgruppe",
    "handleplan": "handleplan",
}


def _section_of(key: str) -> str:
    return "indsatser" if key.startswith("prislinje-") else SECTION_OF[key]


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


# The ids of the forms' version fields (auto_id "id_<key>_%s"): an HTMX save of one section
# gives them all the new version (assessment/_vurdering_htmx.html).
VERSION_FORM_IDS = [
    *(f"id_{key}_version" for key in ("situation", "berettigelse", "civilsamfund", "handleplan")),
    "id_sb_version",
    "id_mg_version",
]


def _section_form(
    cls: type[VurderingSectionForm], key: str, vurdering: Sagsvurdering, failed: Failed
) -> forms.BaseForm:
    return failed.get(key) or cls(initial=cls.initial_from(vurdering), auto_id=f"id_{key}_%s")


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
        primary = context["primaer_maalgruppe"]
        context.update(
            situation_form=_section_form(SituationForm, "situation", vurdering, failed),
            maal_form=failed.get("maal") or MaalForm(valg=valg, auto_id="id_maal_%s"),
            berettigelse_form=_section_form(BerettigelseForm, "berettigelse", vurdering, failed),
            stoettebehov_form=failed.get("stoettebehov")
            or StoettebehovForm(
                niveauer=valg.stoettebehov,
                initial={
                    "stoettebehov": getattr(vurdering.stoettebehov, "vaerdi", None),
                    "version": vurdering.version,
                },
                auto_id="id_sb_%s",
            ),
            indsats_form=failed.get("indsats") or _indsats_form(valg),
            civilsamfund_form=_section_form(CivilsamfundForm, "civilsamfund", vurdering, failed),
            maalgruppe_form=failed.get("maalgruppe")
            or MaalgruppeForm(
                valg=valg,
                initial={
                    "primaer": primary.maalgruppe_id if primary else None,
                    "andre": [g.maalgruppe_id for g in context["andre_maalgrupper"]],
                    "version": vurdering.version,
                },
                auto_id="id_mg_%s",
            ),
            handleplan_form=_section_form(HandleplanForm, "handleplan", vurdering, failed),
            version_form_ids=VERSION_FORM_IDS,
        )
    return context


def _indsats_form(valg: Valg, data: Any = None) -> forms.BaseForm:
    return IndsatsForm(data, valg=valg, auto_id="id_indsats_%s")


def _page(
    request: HttpRequest, sag: Sag, failed: Failed | None = None, status: int = 200
) -> HttpResponse:
    context = _context(request, sag, failed or {})
    return render(request, "assessment/vurdering.html", context, status=status)


def _conflict(
    request: HttpRequest, sag: Sag, section: str, key: str, form: forms.BaseForm
) -> HttpResponse:
    """Someone saved the sagsvurdering since the form was filled in: the form again with the
    user's input and what was saved (409; to HTMX a 200, so that the section is swapped in)."""
    return _section_response(
        request, sag, section, key=key, failed=form, status=200 if _htmx(request) else 409
    )


def _section_response(
    request: HttpRequest,
    sag: Sag,
    section: str,
    *,
    key: str = "",
    failed: forms.BaseForm | None = None,
    saved: str = "",
    status: int = 200,
) -> HttpResponse:
    """After a write: HTMX gets the section (and the status box, out of band) back; a plain post
    the page with the failed form, or a redirect to the section."""
    failed_forms = {key: failed} if failed is not None else {}
    if _htmx(request):
        context = _context(request, sag, failed_forms, {section: saved} if saved else None)
        context["section_template"] = f"assessment/_vurdering_{section}.html"
        return render(request, "assessment/_vurdering_htmx.html", context)
    if failed is not None:
        return _page(request, sag, failed_forms, status=status)
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


def _update_section(
    request: HttpRequest, pk: int, key: str, form_class: type[VurderingSectionForm], saved: str
) -> HttpResponse:
    """The sections that are fields of the sagsvurdering itself: one `sagsvurdering_update`."""
    sag = _editable_sag(request, pk)
    vurdering, early = _vurdering_or_redirect(request, sag)
    if vurdering is None:
        return early  # type: ignore[return-value]
    form = form_class(request.POST, auto_id=f"id_{key}_%s")
    section = SECTION_OF[key]
    if form.is_valid():
        fields = dict(form.cleaned_data)
        read_version = fields.pop("version")
        try:
            vurdering_services.sagsvurdering_update(
                actor=request_user(request),
                vurdering=vurdering,
                expected_version=read_version,
                **fields,
            )
        except StaleVersion as stale:
            show_conflict(form, stale)
            return _conflict(request, sag, section, key, form)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _phase_error(request, sag, exc)
            add_service_errors(form, exc)
        else:
            return _section_response(request, sag, section, saved=saved)
    return _section_response(request, sag, section, key=key, failed=form)


@login_required
@require_POST
def situation_save(request: HttpRequest, pk: int) -> HttpResponse:
    return _update_section(
        request, pk, "situation", SituationForm, "Vurderingen af borgerens situation er gemt."
    )


@login_required
@require_POST
def berettigelse_save(request: HttpRequest, pk: int) -> HttpResponse:
    return _update_section(
        request, pk, "berettigelse", BerettigelseForm, "Vurderingen af støttebehov er gemt."
    )


@login_required
@require_POST
def civilsamfund_save(request: HttpRequest, pk: int) -> HttpResponse:
    return _update_section(
        request, pk, "civilsamfund", CivilsamfundForm, "Civilsamfund og ressourcer er gemt."
    )


@login_required
@require_POST
def handleplan_save(request: HttpRequest, pk: int) -> HttpResponse:
    return _update_section(request, pk, "handleplan", HandleplanForm, "Handleplanen er gemt.")


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
def stoettebehov_save(request: HttpRequest, pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    vurdering, early = _vurdering_or_redirect(request, sag)
    if vurdering is None:
        return early  # type: ignore[return-value]
    niveauer = list(Stoettebehov.objects.current().order_by("vaerdi"))
    form = StoettebehovForm(request.POST, niveauer=niveauer, auto_id="id_sb_%s")
    if form.is_valid():
        try:
            niveau = vurdering_services.stoettebehov_set(
                actor=request_user(request),
                vurdering=vurdering,
                vaerdi=form.cleaned_data["stoettebehov"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersion as stale:
            saved_level = stale.current.stoettebehov  # type: ignore[attr-defined]
            show_conflict(form, stale, saved={"stoettebehov": getattr(saved_level, "vaerdi", None)})
            return _conflict(request, sag, "stoettebehov", "stoettebehov", form)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _phase_error(request, sag, exc)
            add_service_errors(form, exc)
        else:
            label = niveau.stoettebehov.navn if niveau.stoettebehov else ""
            return _section_response(
                request, sag, "stoettebehov", saved=f"Støttebehovet er gemt: {label}."
            )
    return _section_response(request, sag, "stoettebehov", key="stoettebehov", failed=form)


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


@login_required
@require_POST
def maalgruppe_save(request: HttpRequest, pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    vurdering, early = _vurdering_or_redirect(request, sag)
    if vurdering is None:
        return early  # type: ignore[return-value]
    form = MaalgruppeForm(request.POST, valg=load_valg(), auto_id="id_mg_%s")
    if form.is_valid():
        chosen = Maalgruppe.objects.current().in_bulk(
            [form.cleaned_data["primaer"], *form.cleaned_data["andre"]]
        )
        try:
            vurdering_services.maalgrupper_set(
                actor=request_user(request),
                vurdering=vurdering,
                primaer=chosen[form.cleaned_data["primaer"]],
                andre=[chosen[m] for m in form.cleaned_data["andre"]],
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersion as stale:
            chosen_now = vurdering_selectors.maalgrupper_chosen(vurdering_pk=stale.current.pk)
            show_conflict(form, stale, saved=chosen_now)
            return _conflict(request, sag, "maalgruppe", "maalgruppe", form)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _phase_error(request, sag, exc)
            add_service_errors(form, exc)
        else:
            return _section_response(request, sag, "maalgruppe", saved="Målgruppen er gemt.")
    return _section_response(request, sag, "maalgruppe", key="maalgruppe", failed=form)
