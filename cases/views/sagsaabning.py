"""The sagsåbning page: the opening record, its repeating rows, what the citizen applies for,
the purpose's versions, and consent."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_http_methods, require_POST

from cases import selectors
from cases.forms import (
    ROW_FORMS,
    AnsoegningForm,
    SagsaabningForm,
    SamtykkeForm,
    SamtykkeWithdrawForm,
    add_service_errors,
)
from cases.models import (
    Aftale,
    Diagnose,
    EksisterendeOplysning,
    Sag,
    Samtykke,
    TidligereHenvendelse,
)
from cases.services import sagsaabning as sagsaabning_services
from cases.views.sag import forward_options, move_forward
from vum.access import Action, get_sag_or_404, request_user, require
from vum.catalog.selectors import processing_deadline_missing
from vum.versions import StaleVersion, show_conflict

ROW_MODELS: dict[str, type[TidligereHenvendelse | Diagnose | EksisterendeOplysning | Aftale]] = {
    "tidligere-henvendelse": TidligereHenvendelse,
    "diagnose": Diagnose,
    "eksisterende-oplysning": EksisterendeOplysning,
    "aftale": Aftale,
}


# Sagsåbning


def _display(obj: Model, name: str) -> str:
    field = obj._meta.get_field(name)
    value = getattr(obj, name)
    if getattr(field, "choices", None) and value not in (None, ""):
        return str(getattr(obj, f"get_{name}_display")())
    if value is None or value == "":
        return ""
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value)
    return str(formats.localize(value))


def _row_section(sag: Sag, kind: str, form: forms.ModelForm | None = None) -> dict[str, Any]:
    model = ROW_MODELS[kind]
    shown = [f for f in model._meta.fields if f.name not in ("id", "sag")]
    names = [f.name for f in shown]
    rows = model.objects.filter(sag=sag)
    return {
        "kind": kind,
        "title": str(model._meta.verbose_name_plural).capitalize(),
        "headers": [str(f.verbose_name).capitalize() for f in shown],
        "rows": [{"pk": row.pk, "cells": [_display(row, n) for n in names]} for row in rows],
        "form": form or ROW_FORMS[kind](auto_id=f"id_{kind}_%s"),
    }


def _sagsaabning_page(
    request: HttpRequest,
    sag: Sag,
    *,
    form: SagsaabningForm | None = None,
    row_forms: dict[str, forms.ModelForm] | None = None,
    ansoegning_form: AnsoegningForm | None = None,
    samtykke_form: SamtykkeForm | None = None,
    withdraw_forms: dict[int, SamtykkeWithdrawForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    # Every render shows the citizen's data, also after a failed POST: an audited read.
    sag = selectors.sag_get(user=request_user(request), pk=sag.pk)
    row_forms = row_forms or {}
    withdraw_forms = withdraw_forms or {}
    frist = selectors.sagsbehandlingsfrist(sag=sag)
    samtykker = list(sag.samtykker.select_related("registreret_af", "tilbud"))
    context = {
        "sag": sag,
        "borger": sag.borger,
        "form": form or SagsaabningForm(instance=sag.sagsaabning),
        "sections": [_row_section(sag, kind, row_forms.get(kind)) for kind in ROW_MODELS],
        "formaal_versioner": sag.formaal_versioner.select_related("oprettet_af"),
        "videre": forward_options(request, sag),
        "ansoegning_form": ansoegning_form
        or AnsoegningForm(
            initial={
                "kommunal_ydelse": sag.kommunal_ydelse_id,
                "ansoegningstype": sag.ansoegningstype,
            }
        ),
        "sagsbehandlingsfrist": frist,
        "frist_mangler": (
            processing_deadline_missing(ydelse=sag.kommunal_ydelse)
            if frist is None and sag.kommunal_ydelse is not None
            else ""
        ),
        "samtykker": [
            (
                s,
                withdraw_forms.get(s.pk)
                or SamtykkeWithdrawForm(
                    initial={"tilbagekaldt": timezone.localdate()}, auto_id=f"id_tb{s.pk}_%s"
                ),
            )
            for s in samtykker
        ],
        "samtykke_form": samtykke_form
        or SamtykkeForm(initial={"givet": timezone.localdate()}, auto_id="id_samtykke_%s"),
    }
    return render(request, "cases/sagsaabning.html", context, status=status)


def _editable_sag(request: HttpRequest, pk: int) -> Sag:
    user = request_user(request)
    sag = get_sag_or_404(user, pk)
    require(user, Action.EDIT, sag)
    return sag


@login_required
@require_http_methods(["GET", "POST"])
def sagsaabning(request: HttpRequest, pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    if request.method == "GET":
        # The page shows the citizen's data: read it through the audited selector.
        return _sagsaabning_page(request, sag)
    form = SagsaabningForm(request.POST, instance=sag.sagsaabning)
    if form.is_valid():
        fields = dict(form.cleaned_data)
        read_version = fields.pop("version")
        try:
            sagsaabning_services.sagsaabning_save(
                actor=request_user(request), sag=sag, expected_version=read_version, **fields
            )
        except StaleVersion as stale:
            show_conflict(form, stale)
            return _sagsaabning_page(request, sag, form=form, status=409)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Sagsåbningen er gemt.")
            back = reverse("sagsaabning", args=[sag.pk])
            if request.POST.get("videre"):
                # "Gem og ...": saved, and on to the next phase if nothing blocks it.
                return move_forward(request, sag=sag, name=request.POST["videre"], back=back)
            return redirect(back)
    return _sagsaabning_page(request, sag, form=form)


def _row_response(request: HttpRequest, sag: Sag, kind: str, form: Any = None) -> HttpResponse:
    """After a row add/delete: HTMX gets the section back, a plain form post the whole page."""
    if request.htmx:  # type: ignore[attr-defined]
        section = _row_section(sag, kind, form)
        return render(request, "cases/partials/row_section.html", {"section": section, "sag": sag})
    if form is not None and form.errors:
        return _sagsaabning_page(request, sag, row_forms={kind: form})
    return redirect(reverse("sagsaabning", args=[sag.pk]) + f"#raekker-{kind}")


@login_required
@require_POST
def row_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    sag = _editable_sag(request, pk)
    if kind not in ROW_MODELS:
        raise Http404("Ukendt rækketype.")
    form = ROW_FORMS[kind](request.POST, auto_id=f"id_{kind}_%s")
    if form.is_valid():
        try:
            # Any: mypy cannot pick the service's row type from a value known only at runtime.
            model: Any = ROW_MODELS[kind]
            sagsaabning_services.sagsaabning_row_add(
                actor=request_user(request), sag=sag, model=model, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not request.htmx:  # type: ignore[attr-defined]
                # An HTMX swap shows the new row itself; a message would surface on a later page.
                messages.success(
                    request, f"{str(ROW_MODELS[kind]._meta.verbose_name).capitalize()} er tilføjet."
                )
            return _row_response(request, sag, kind)
    return _row_response(request, sag, kind, form)


@login_required
@require_POST
def row_delete(request: HttpRequest, pk: int, kind: str, row_pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    if kind not in ROW_MODELS:
        raise Http404("Ukendt rækketype.")
    row = ROW_MODELS[kind].objects.filter(sag=sag, pk=row_pk).first()
    if row is None:
        raise Http404("Rækken findes ikke i denne sag.")
    sagsaabning_services.sagsaabning_row_delete(actor=request_user(request), row=row)
    if not request.htmx:  # type: ignore[attr-defined]
        messages.success(request, f"{str(row._meta.verbose_name).capitalize()} er slettet.")
    return _row_response(request, sag, kind)


@login_required
@require_POST
def ansoegning_set(request: HttpRequest, pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    form = AnsoegningForm(request.POST)
    if form.is_valid():
        try:
            sagsaabning_services.sag_ansoegning_set(
                actor=request_user(request), sag=sag, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            missing = (
                processing_deadline_missing(ydelse=form.cleaned_data["kommunal_ydelse"])
                if form.cleaned_data["kommunal_ydelse"] is not None
                else ""
            )
            if missing:
                messages.warning(request, f"Ansøgningen er gemt. {missing}")
            else:
                messages.success(
                    request, "Ansøgningen er gemt, og sagsbehandlingsfristen er opdateret."
                )
            return redirect(reverse("sagsaabning", args=[sag.pk]) + "#ansoegning")
    return _sagsaabning_page(request, sag, ansoegning_form=form)


@login_required
@require_POST
def samtykke_add(request: HttpRequest, pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    form = SamtykkeForm(request.POST, auto_id="id_samtykke_%s")
    if form.is_valid():
        try:
            sagsaabning_services.samtykke_register(
                actor=request_user(request), sag=sag, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Samtykket er registreret.")
            return redirect(reverse("sagsaabning", args=[sag.pk]) + "#samtykker")
    return _sagsaabning_page(request, sag, samtykke_form=form)


@login_required
@require_POST
def samtykke_withdraw(request: HttpRequest, pk: int, samtykke_pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    samtykke = Samtykke.objects.filter(sag=sag, pk=samtykke_pk).first()
    if samtykke is None:
        raise Http404("Samtykket findes ikke i denne sag.")
    form = SamtykkeWithdrawForm(request.POST, auto_id=f"id_tb{samtykke.pk}_%s")
    if form.is_valid():
        try:
            sagsaabning_services.samtykke_withdraw(
                actor=request_user(request),
                samtykke=samtykke,
                tilbagekaldt=form.cleaned_data["tilbagekaldt"],
                begrundelse=form.cleaned_data["begrundelse"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Samtykket er tilbagekaldt.")
            return redirect(reverse("sagsaabning", args=[sag.pk]) + "#samtykker")
    return _sagsaabning_page(request, sag, withdraw_forms={samtykke.pk: form})
