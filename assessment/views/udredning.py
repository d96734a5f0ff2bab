"""The caseworker's pages for the sagsoplysning: the udredning theme by theme (with sources,
scores and delanalyser), requests for information, and partshøring.

Views only translate between HTTP and the services/selectors: reads go through the selectors
(which audit them), writes through assessment.services (which check the access policy, the phase,
validate and audit). Objects outside the user's scope answer 404 through vum.access. A service's
Danish ValidationError is shown on the form that caused it, with the user's input kept. Forms
inside a theme post with HTMX and get the theme back; without JavaScript they post normally.
"""

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment.forms.udredning import (
    DelanalyseForm,
    IndhentningForm,
    KildeForm,
    PartshoeringForm,
    SvarForm,
    TemaForm,
    UdredningGenbrugForm,
    UdredningStartForm,
    niveau_label,
)
from assessment.models import Funktionsevnevurdering, Partshoering, Udredning
from assessment.selectors import partshoering as partshoering_selectors
from assessment.selectors import udredning as udredning_selectors
from assessment.services import partshoering as partshoering_services
from assessment.services import udredning as udredning_services
from cases import selectors as case_selectors
from cases.forms import add_service_errors
from cases.models import Relation, Sag
from vum.access import Action, get_sag_or_404, may, request_user, require
from vum.catalog.models import Funktionsevneniveau, Kategori, Tema, Undertema
from vum.protected_documents import AddressNotConfirmed, confirmation_page


def _editable_sag(request: HttpRequest, pk: int) -> Sag:
    user = request_user(request)
    sag = get_sag_or_404(user, pk)
    require(user, Action.EDIT, sag)
    return sag


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that HTMX follows as a whole-page navigation rather than swapping the page
    into a theme's section."""
    if _htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


# The udredning page


@dataclass
class UndertemaRow:
    undertema: Undertema
    current: Funktionsevnevurdering | None
    history: list[Funktionsevnevurdering]
    field: BoundField | None  # the sub-theme's level in the theme's form


@dataclass
class TemaSection:
    tema: Tema
    view: udredning_selectors.TemaView
    form: TemaForm | None
    kilde_form: forms.BaseForm | None
    rows: list[UndertemaRow] = field(default_factory=list)
    open: bool = False
    saved: str = ""

    @property
    def status(self) -> str:
        oplysning = self.view.oplysning
        if oplysning is not None and oplysning.overfoert:
            return "overfoert"
        if oplysning is not None and oplysning.is_informed:
            return "oplyst"
        return "ikke-oplyst"


def _tema_form(
    tv: udredning_selectors.TemaView,
    niveauer: list[Funktionsevneniveau],
    failed: dict[str, forms.BaseForm],
) -> TemaForm:
    form = failed.get(f"tema-{tv.tema.pk}")
    if isinstance(form, TemaForm):
        return form
    return TemaForm(
        initial=TemaForm.initial_from(tv.oplysning, tv.scores),
        undertemaer=tv.undertemaer,
        niveauer=niveauer,
        auto_id=f"id_t{tv.tema.pk}_%s",
    )


def _tema_sections(
    overview: udredning_selectors.UdredningView,
    history: dict[int, list[Funktionsevnevurdering]],
    *,
    editable: bool,
    failed: dict[str, forms.BaseForm],
) -> list[tuple[udredning_selectors.KategoriView, list[TemaSection], forms.BaseForm | None]]:
    result = []
    # The first theme nobody has informed yet is open, so that the work starts there.
    first_open = next(
        (tv.tema.pk for kv in overview.kategorier for tv in kv.temaer if tv.oplysning is None),
        None,
    )
    for kv in overview.kategorier:
        sections = []
        niveauer = overview.niveauer if kv.kategori.scores else []
        for tv in kv.temaer:
            kilde_form = failed.get(f"kilde-{tv.tema.pk}")
            form = _tema_form(tv, niveauer, failed) if editable else None
            section = TemaSection(
                tema=tv.tema,
                view=tv,
                form=form,
                kilde_form=(
                    kilde_form or KildeForm(auto_id=f"id_k{tv.tema.pk}_%s")
                    if editable and tv.oplysning is not None
                    else None
                ),
                open=any(key in failed for key in (f"tema-{tv.tema.pk}", f"kilde-{tv.tema.pk}"))
                or (editable and not failed and tv.tema.pk == first_open),
            )
            if kv.kategori.scores:
                for u in tv.undertemaer:
                    section.rows.append(
                        UndertemaRow(
                            undertema=u,
                            current=tv.scores.get(u.pk),
                            history=history.get(u.pk, []),
                            field=form[f"niveau_{u.pk}"] if form is not None else None,
                        )
                    )
            sections.append(section)
        delanalyse_form: forms.BaseForm | None = None
        if editable:
            delanalyse_form = failed.get(f"delanalyse-{kv.kategori.pk}") or DelanalyseForm(
                initial={"tekst": kv.delanalyse}, auto_id=f"id_d{kv.kategori.pk}_%s"
            )
        result.append((kv, sections, delanalyse_form))
    return result


def _udredning_context(
    request: HttpRequest, sag: Sag, failed: dict[str, forms.BaseForm]
) -> dict[str, Any]:
    user = request_user(request)
    kan_redigere = may(user, Action.EDIT, sag)
    i_fase = sag.fase in udredning_services.UDREDNING_PHASES
    overview = udredning_selectors.udredning_overview(user=user, sag=sag)
    udredning = overview.udredning
    kan_udrede = kan_redigere and i_fase and udredning is not None
    history = udredning_selectors.score_history(user=user, sag=sag) if udredning is not None else {}
    context: dict[str, Any] = {
        "sag": sag,
        "borger": sag.borger,
        "udredning": udredning,
        "kan_redigere": kan_redigere,
        "i_fase": i_fase,
        "kan_udrede": kan_udrede,
        "kategorier": _tema_sections(overview, history, editable=kan_udrede, failed=failed),
        "niveauer": [(n, niveau_label(n)) for n in overview.niveauer],
        "indhentninger": udredning_selectors.indhentninger(user=user, sag=sag),
        "indhentning_form": (
            failed.get("indhentning") or IndhentningForm(auto_id="id_indh_%s")
            if kan_redigere
            else None
        ),
    }
    if udredning is None and kan_redigere and i_fase:
        earlier = udredning_selectors.earlier_udredninger(user=user, sag=sag)
        context["start_form"] = failed.get("start") or UdredningStartForm()
        if earlier:
            context["genbrug_form"] = failed.get("genbrug") or UdredningGenbrugForm(
                udredninger=earlier,
                initial={"forrige": earlier[0].pk},
                auto_id="id_genbrug_%s",
            )
    return context


def _udredning_page(
    request: HttpRequest, sag: Sag, failed: dict[str, forms.BaseForm] | None = None
) -> HttpResponse:
    context = _udredning_context(request, sag, failed or {})
    return render(request, "assessment/udredning.html", context)


def _tema_response(
    request: HttpRequest,
    sag: Sag,
    tema: Tema,
    *,
    failed: forms.BaseForm | None = None,
    key: str = "",
    saved: str = "",
) -> HttpResponse:
    """After a write inside a theme: HTMX gets the theme's section back; a plain form post the
    page (with the failed form) or a redirect to the theme."""
    failed_forms = {key: failed} if failed is not None else {}
    if _htmx(request):
        context = _udredning_context(request, sag, failed_forms)
        for _kv, sections, _form in context["kategorier"]:
            for section in sections:
                if section.tema.pk == tema.pk:
                    section.open = True
                    section.saved = saved
                    context["t"] = section
        return render(request, "assessment/_tema.html", context)
    if failed is not None:
        return _udredning_page(request, sag, failed_forms)
    messages.success(request, saved)
    return redirect(reverse("udredning", args=[sag.pk]) + f"#tema-{tema.pk}")


@login_required
@require_GET
def udredning(request: HttpRequest, pk: int) -> HttpResponse:
    # The page shows the citizen's data: the case is read through the audited selector.
    return _udredning_page(request, case_selectors.sag_get(user=request_user(request), pk=pk))


def _phase_error(request: HttpRequest, sag: Sag, exc: ValidationError) -> HttpResponse:
    """An error that belongs to no form (e.g. the case has left sagsoplysning meanwhile)."""
    messages.error(request, " ".join(exc.messages))
    return _redirect(request, reverse("udredning", args=[sag.pk]))


def _current_udredning(request: HttpRequest, sag: Sag) -> Udredning | None:
    udredning = udredning_services.udredning_current(sag=sag)
    if udredning is None:
        messages.error(request, "Udredningen er ikke startet endnu.")
    return udredning


@login_required
@require_POST
def udredning_start(request: HttpRequest, pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    try:
        udredning_services.udredning_start(actor=request_user(request), sag=sag)
    except ValidationError as exc:
        return _phase_error(request, sag, exc)
    messages.success(request, "Udredningen er startet.")
    return redirect("udredning", pk=sag.pk)


@login_required
@require_POST
def udredning_genbrug(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    sag = _editable_sag(request, pk)
    earlier = udredning_selectors.earlier_udredninger(user=user, sag=sag)
    form = UdredningGenbrugForm(request.POST, udredninger=earlier, auto_id="id_genbrug_%s")
    if form.is_valid():
        forrige = next(u for u in earlier if u.pk == form.cleaned_data["forrige"])
        try:
            udredning_services.udredning_start(
                actor=user,
                sag=sag,
                forrige=forrige,
                genbrug_samtykke_givet=form.cleaned_data["genbrug_samtykke_givet"],
                genbrug_samtykke_form=form.cleaned_data["genbrug_samtykke_form"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                "Udredningen er startet på grundlag af den forrige. De overførte temaer skal "
                "opdateres.",
            )
            return redirect("udredning", pk=sag.pk)
    return _udredning_page(request, sag, {"genbrug": form})


def _tema_or_404(tema_pk: int) -> Tema:
    tema = Tema.objects.current().select_related("kategori").filter(pk=tema_pk).first()
    if tema is None:
        raise Http404("Temaet findes ikke.")
    return tema


@login_required
@require_POST
def tema_save(request: HttpRequest, pk: int, tema_pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    tema = _tema_or_404(tema_pk)
    udredning = _current_udredning(request, sag)
    if udredning is None:
        return _redirect(request, reverse("udredning", args=[sag.pk]))
    undertemaer = list(Undertema.objects.current().filter(tema=tema).order_by("raekkefoelge"))
    niveauer = (
        list(Funktionsevneniveau.objects.current().order_by("vaerdi"))
        if tema.kategori.scores
        else []
    )
    form = TemaForm(
        request.POST, undertemaer=undertemaer, niveauer=niveauer, auto_id=f"id_t{tema.pk}_%s"
    )
    if form.is_valid():
        by_pk = {u.pk: u for u in undertemaer}
        levels = {by_pk[pk]: vaerdi for pk, vaerdi in form.levels().items()}
        data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("niveau_")}
        chosen = set(data.pop("fremhaevede_undertemaer"))
        try:
            added = udredning_services.tema_vurdering_save(
                actor=request_user(request),
                udredning=udredning,
                tema=tema,
                niveauer=levels,
                fremhaevede_undertemaer=[u for u in undertemaer if u.pk in chosen],
                **data,
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _phase_error(request, sag, exc)
            add_service_errors(form, exc)
        else:
            scored = "".join(f" {s.undertema.navn}: {niveau_label(s.niveau)}." for s in added)
            return _tema_response(request, sag, tema, saved=f"{tema.navn} er gemt.{scored}")
    return _tema_response(request, sag, tema, failed=form, key=f"tema-{tema.pk}")


@login_required
@require_POST
def kilde_add(request: HttpRequest, pk: int, tema_pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    tema = _tema_or_404(tema_pk)
    udredning = _current_udredning(request, sag)
    if udredning is None:
        return _redirect(request, reverse("udredning", args=[sag.pk]))
    form = KildeForm(request.POST, auto_id=f"id_k{tema.pk}_%s")
    oplysning = udredning.temaer.filter(tema=tema).first()
    if oplysning is None:
        form.is_valid()
        form.add_error(None, "Gem temaet, før der tilføjes kilder.")
    elif form.is_valid():
        try:
            udredning_services.kilde_add(
                actor=request_user(request), tema_oplysning=oplysning, **form.cleaned_data
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _phase_error(request, sag, exc)
            add_service_errors(form, exc)
        else:
            return _tema_response(request, sag, tema, saved="Kilden er tilføjet.")
    return _tema_response(request, sag, tema, failed=form, key=f"kilde-{tema.pk}")


@login_required
@require_POST
def delanalyse_save(request: HttpRequest, pk: int, kategori_pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    kategori = Kategori.objects.current().filter(pk=kategori_pk).first()
    if kategori is None:
        raise Http404("Kategorien findes ikke.")
    udredning = _current_udredning(request, sag)
    if udredning is None:
        return _redirect(request, reverse("udredning", args=[sag.pk]))
    form = DelanalyseForm(request.POST, auto_id=f"id_d{kategori.pk}_%s")
    if form.is_valid():
        try:
            udredning_services.delanalyse_save(
                actor=request_user(request),
                udredning=udredning,
                kategori=kategori,
                tekst=form.cleaned_data["tekst"],
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _phase_error(request, sag, exc)
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Delanalysen for {kategori.navn.lower()} er gemt.")
            return redirect(reverse("udredning", args=[sag.pk]) + f"#delanalyse-{kategori.pk}")
    return _udredning_page(request, sag, {f"delanalyse-{kategori.pk}": form})


@login_required
@require_POST
def indhentning_add(request: HttpRequest, pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    form = IndhentningForm(request.POST, auto_id="id_indh_%s")
    if form.is_valid():
        try:
            udredning_services.indhentning_request(
                actor=request_user(request), sag=sag, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Anmodningen om oplysninger er registreret.")
            return redirect(reverse("udredning", args=[sag.pk]) + "#indhentning")
    return _udredning_page(request, sag, {"indhentning": form})


# Partshøring


@dataclass
class HoeringRow:
    hoering: Partshoering
    status: str
    status_label: str
    svar_form: SvarForm | None


def _hoering_rows(
    hoeringer: list[Partshoering], *, editable: bool, failed: dict[int, SvarForm]
) -> list[HoeringRow]:
    today, now = timezone.localdate(), timezone.now()
    rows = []
    for h in hoeringer:
        if h.svar_modtaget is not None:
            status, label = "besvaret", "Besvaret"
        elif h.blocks_decision(now):
            status, label = "afventer", "Afventer svar"
        else:
            status, label = "udloebet", "Frist udløbet"
        form = failed.get(h.pk)
        if form is None and editable and h.svar_modtaget is None:
            form = SvarForm(initial={"modtaget": today}, auto_id=f"id_svar{h.pk}_%s")
        rows.append(HoeringRow(hoering=h, status=status, status_label=label, svar_form=form))
    return rows


def _relationer(sag: Sag) -> list[Relation]:
    return list(
        sag.borger.relationer.filter(
            type__in=[Relation.Type.VAERGE, Relation.Type.PARTSREPRAESENTANT]
        ).order_by("type", "navn")
    )


def _partshoering_page(
    request: HttpRequest,
    sag: Sag,
    *,
    send_form: PartshoeringForm | None = None,
    svar_forms: dict[int, SvarForm] | None = None,
) -> HttpResponse:
    # Every render shows the citizen's data, also after a failed POST: an audited read.
    sag = case_selectors.sag_get(user=request_user(request), pk=sag.pk)
    user = request_user(request)
    kan_redigere = may(user, Action.EDIT, sag)
    hoeringer = partshoering_selectors.partshoeringer(user=user, sag=sag)
    if kan_redigere and send_form is None:
        send_form = PartshoeringForm(
            relationer=_relationer(sag),
            initial={
                "modtager": Partshoering.Modtager.BORGER,
                "svarfrist": partshoering_services.minimum_answer_date(),
            },
            auto_id="id_ph_%s",
        )
    context = {
        "sag": sag,
        "borger": sag.borger,
        "kan_redigere": kan_redigere,
        "hoeringer": _hoering_rows(hoeringer, editable=kan_redigere, failed=svar_forms or {}),
        "send_form": send_form,
        "min_dage": settings.VUM_PARTSHOERING_MIN_DAYS,
    }
    return render(request, "assessment/partshoering.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def partshoering(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    if request.method == "GET":
        return _partshoering_page(request, get_sag_or_404(user, pk))
    sag = _editable_sag(request, pk)
    relationer = _relationer(sag)
    form = PartshoeringForm(request.POST, relationer=relationer, auto_id="id_ph_%s")
    if form.is_valid():
        data = dict(form.cleaned_data)
        relation_pk = data.pop("modtager_relation")
        relation = next((r for r in relationer if r.pk == relation_pk), None)
        try:
            hoering = partshoering_services.partshoering_send(
                actor=user,
                sag=sag,
                modtager_relation=relation,
                **data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Partshøringsbrevet til {hoering.modtager_navn} er dannet. Svarfrist "
                f"{hoering.svarfrist:%d.%m.%Y}.",
            )
            return redirect(reverse("partshoering", args=[sag.pk]) + f"#hoering-{hoering.pk}")
    return _partshoering_page(request, sag, send_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def partshoering_brev(request: HttpRequest, pk: int, hoering_pk: int) -> HttpResponse:
    """The frozen letter; a POST is the confirmed request for one that shows a protected
    address (vum.protected_documents)."""
    user = request_user(request)
    sag = get_sag_or_404(user, pk)
    try:
        hoering = partshoering_selectors.partshoering_brev(
            user=user, sag=sag, pk=hoering_pk, confirmed=request.method == "POST"
        )
    except AddressNotConfirmed:
        return confirmation_page(
            request,
            document="Partshøringsbrevet",
            back=reverse("partshoering", args=[sag.pk]) + f"#hoering-{hoering_pk}",
        )
    response = HttpResponse(bytes(hoering.brev_pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="partshoering-{hoering.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def partshoering_svar(request: HttpRequest, pk: int, hoering_pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    hoering = sag.partshoeringer.defer("brev_pdf").filter(pk=hoering_pk).first()
    if hoering is None:
        raise Http404("Partshøringen findes ikke i denne sag.")
    form = SvarForm(request.POST, auto_id=f"id_svar{hoering.pk}_%s")
    if form.is_valid():
        try:
            partshoering_services.partshoering_answer(
                actor=request_user(request),
                partshoering=hoering,
                svar=form.cleaned_data["svar"],
                modtaget=form.cleaned_data["modtaget"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Svaret på partshøringen er registreret.")
            return redirect(reverse("partshoering", args=[sag.pk]) + f"#hoering-{hoering.pk}")
    return _partshoering_page(request, sag, svar_forms={hoering.pk: form})
