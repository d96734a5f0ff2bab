"""The afgørelse page: record the decision (one result line per indsats of the current
sagsvurdering, the reasons, egenbetaling, the confirmed målgruppe), edit the letter's free texts,
preview it as a PDF and send it (frozen; a correction is a new letter), and follow complaints
through reassessment and Ankestyrelsen.

Views only translate between HTTP and assessment.services, which check the access policy and the
phase, validate and audit. The page is read through the audited `sag_get`; the preview is audited
as a read and the frozen letter's download as an export. Objects outside the user's scope answer
404; a leader reads without forms. A service's Danish ValidationError is shown on the form that
caused it, with the input kept.
"""

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment import letters as letters_services
from assessment.forms.afgoerelse import (
    AfgoerelseForm,
    AnkestyrelsensAfgoerelseForm,
    AnkestyrelsenSendForm,
    BrevForm,
    GenvurderingForm,
    KlageForm,
    ResultatFormSet,
)
from assessment.models import (
    Afgoerelse,
    AfgoerelsesResultat,
    Brev,
    Forsendelse,
    Indsats,
    Klage,
    Sagsvurdering,
)
from assessment.selectors import afgoerelse as afgoerelse_selectors
from assessment.services import afgoerelse as afgoerelse_services
from assessment.services import forsendelse as forsendelse_services
from assessment.services import klage as klage_services
from assessment.services import vurdering as vurdering_services
from assessment.services.afgoerelse import Resultatlinje
from cases import selectors as case_selectors
from cases.forms import add_service_errors
from cases.lifecycle import Fase
from cases.models import Sag
from vum.access import Action, get_sag_or_404, may, request_user, require
from vum.audit.models import AuditAction
from vum.audit.services import audit_record
from vum.catalog.models import KommunalYdelse, Maalgruppe
from vum.catalog.selectors import kommunale_ydelser
from vum.protected_documents import AddressNotConfirmed, confirmation_page

Failed = dict[str, Any]


def _page_url(sag: Sag, anchor: str = "", erstatter: int | None = None) -> str:
    url = reverse("afgoerelse", args=[sag.pk])
    if erstatter:
        url += f"?erstatter={erstatter}"
    return f"{url}#{anchor}" if anchor else url


def _editable_sag(request: HttpRequest, pk: int) -> Sag:
    user = request_user(request)
    sag = get_sag_or_404(user, pk)
    require(user, Action.EDIT, sag)
    return sag


def _afgoerelse_or_404(sag: Sag, afgoerelse_pk: int) -> Afgoerelse:
    found = sag.afgoerelser.filter(pk=afgoerelse_pk).select_related("sag__borger").first()
    if found is None:
        raise Http404("Afgørelsen findes ikke i denne sag.")
    return found


def _klage_or_404(afgoerelse: Afgoerelse, klage_pk: int) -> Klage:
    found = afgoerelse.klager.filter(pk=klage_pk).select_related("sag").first()
    if found is None:
        raise Http404("Klagen findes ikke for denne afgørelse.")
    return found


def _general_error(request: HttpRequest, sag: Sag, exc: ValidationError, anchor: str = "") -> Any:
    messages.error(request, " ".join(exc.messages))
    return redirect(_page_url(sag, anchor))


# Choices and prefill


def _maalgruppe_choices() -> list[tuple[int, str]]:
    rows = Maalgruppe.objects.current().filter(kan_vaelges=True).order_by("raekkefoelge", "pk")
    return [(m.pk, m.navn) for m in rows]


def _ydelse_choices() -> list[tuple[int, str]]:
    return [(k.pk, f"{k.kode} · {k.navn}") for k in kommunale_ydelser()]


def _beskrivelse(indsats: Indsats) -> str:
    ydelser = [
        f"{y.navn} efter {y.lovgrundlag}" if y.lovgrundlag else y.navn
        for y in indsats.ydelser.all()
    ]
    if ydelser:
        return ", ".join(ydelser)[:300]
    if indsats.kommunal_ydelse is not None:
        return indsats.kommunal_ydelse.navn
    return str(indsats)


def _prefill(vurdering: Sagsvurdering | None) -> tuple[list[dict[str, Any]], int | None]:
    """One result line per (non-alternative) indsats, and the assessment's primary målgruppe."""
    if vurdering is None:
        return [], None
    today = timezone.localdate()
    lines = [
        {
            "indsats": i.pk,
            "beskrivelse": _beskrivelse(i),
            "kommunal_ydelse": i.kommunal_ydelse_id,
            "resultat": AfgoerelsesResultat.Resultat.BEVILGET,
            "virkningsdato": i.forventet_start or today,
        }
        for i in vurdering.indsatser.filter(alternativ=False)
        .select_related("kommunal_ydelse")
        .prefetch_related("ydelser")
    ]
    primary = vurdering.maalgrupper.filter(primaer=True).first()
    return lines, primary.maalgruppe_id if primary else None


def _decided_by(vurdering: Sagsvurdering | None) -> str:
    """Who decides, as the assessment's route says: the committee for a case it must see, else
    the caseworker (a leader's decision is chosen by hand)."""
    if vurdering is None:
        return ""
    if vurdering_services.decision_route(vurdering=vurdering).visitationsudvalg:
        return Afgoerelse.TruffetAf.VISITATIONSUDVALG
    return Afgoerelse.TruffetAf.SAGSBEHANDLER


def _record_forms(
    sag: Sag, erstatter: Afgoerelse | None, data: Any = None
) -> tuple[AfgoerelseForm, forms.BaseFormSet]:
    vurdering = vurdering_services.sagsvurdering_current(sag=sag)
    lines, primary = _prefill(vurdering)
    if erstatter is not None:
        lines = [
            {
                "indsats": r.indsats_id,
                "beskrivelse": r.beskrivelse,
                "kommunal_ydelse": r.kommunal_ydelse_id,
                "resultat": r.resultat,
                "omfang": r.omfang,
                "virkningsdato": timezone.localdate(),
            }
            for r in erstatter.resultater.all()
        ]
    if not lines:  # nothing to prefill from: one blank line to fill in
        lines = [{"virkningsdato": timezone.localdate()}]
    form = AfgoerelseForm(
        data,
        maalgrupper=_maalgruppe_choices(),
        initial={
            "truffet": timezone.localdate(),
            "truffet_af": _decided_by(vurdering),
            "maalgruppe": primary,
            "erstatter": erstatter.pk if erstatter else None,
        },
        auto_id="id_afg_%s",
    )
    formset = ResultatFormSet(
        data,
        initial=lines,
        prefix="resultat",
        form_kwargs={"ydelser": _ydelse_choices()},
    )
    return form, formset


# The page


@dataclass
class KlageRow:
    klage: Klage
    genvurdering_form: forms.Form | None = None
    send_form: forms.Form | None = None
    ankestyrelsen_form: forms.Form | None = None


@dataclass
class AfgoerelseRow:
    afgoerelse: Afgoerelse
    resultater: list[AfgoerelsesResultat]
    breve: list[Brev]
    klager: list[KlageRow] = field(default_factory=list)
    brev_form: forms.Form | None = None
    klage_form: forms.Form | None = None
    erstattet_af: list[Afgoerelse] = field(default_factory=list)


def _klage_row(klage: Klage, nye: list[Afgoerelse], kan: bool, failed: Failed) -> KlageRow:
    row = KlageRow(klage=klage)
    if not kan:
        return row
    key = str(klage.pk)
    if not klage.genvurdering:
        row.genvurdering_form = failed.get(f"genvurdering-{key}") or GenvurderingForm(
            nye=[(a.pk, f"Afgørelse {a.pk} af {a.truffet:%d.%m.%Y}") for a in nye],
            initial={"dato": timezone.localdate()},
            auto_id=f"id_gv{key}_%s",
        )
    elif klage.genvurdering != Klage.Genvurdering.MEDHOLD and klage.sendt_til_ankestyrelsen is None:
        row.send_form = failed.get(f"send-{key}") or AnkestyrelsenSendForm(
            initial={"dato": timezone.localdate()}, auto_id=f"id_as{key}_%s"
        )
    elif klage.sendt_til_ankestyrelsen is not None and not klage.ankestyrelsens_afgoerelse:
        row.ankestyrelsen_form = failed.get(f"ankestyrelsen-{key}") or (
            AnkestyrelsensAfgoerelseForm(auto_id=f"id_aa{key}_%s")
        )
    return row


def _context(request: HttpRequest, sag: Sag, failed: Failed) -> dict[str, Any]:
    user = request_user(request)
    kan_redigere = may(user, Action.EDIT, sag, as_loaded=True)
    i_fase = sag.fase == Fase.AFGOERELSE
    afgoerelser = list(
        sag.afgoerelser.select_related("maalgruppe", "erstatter")
        .prefetch_related(
            "resultater__kommunal_ydelse",
            Prefetch("breve", queryset=Brev.objects.defer("pdf").prefetch_related("forsendelser")),
            Prefetch("klager", queryset=Klage.objects.select_related("ny_afgoerelse")),
        )
        .order_by("-oprettet", "-id")
    )
    replacements: dict[int, list[Afgoerelse]] = {}
    for a in afgoerelser:
        if a.erstatter_id:
            replacements.setdefault(a.erstatter_id, []).append(a)
    rows = []
    for a in afgoerelser:
        breve = list(a.breve.all())
        row = AfgoerelseRow(
            afgoerelse=a,
            resultater=list(a.resultater.all()),
            breve=breve,
            erstattet_af=replacements.get(a.pk, []),
        )
        row.klager = [
            _klage_row(k, replacements.get(a.pk, []), kan_redigere, failed) for k in a.klager.all()
        ]
        if kan_redigere:
            key = str(a.pk)
            if f"brev-{key}" in failed:
                row.brev_form = failed[f"brev-{key}"]
            elif breve:
                latest = breve[0]
                row.brev_form = BrevForm(
                    initial={**latest.indhold, "retter": latest.pk}, auto_id=f"id_brev{key}_%s"
                )
            else:
                row.brev_form = BrevForm(
                    initial=letters_services.afgoerelse_letter_texts(afgoerelse=a),
                    auto_id=f"id_brev{key}_%s",
                )
            row.klage_form = failed.get(f"klage-{key}") or KlageForm(
                initial={"modtaget": timezone.localtime().replace(second=0, microsecond=0)},
                auto_id=f"id_klage{key}_%s",
            )
        rows.append(row)

    erstatter = None
    erstatter_pk = request.GET.get("erstatter") or (
        failed["ny"][0].data.get("erstatter") if "ny" in failed else None
    )
    if erstatter_pk:
        erstatter = next((a for a in afgoerelser if str(a.pk) == str(erstatter_pk)), None)
    kan_traeffe = kan_redigere and ((i_fase and not afgoerelser) or erstatter is not None)
    context: dict[str, Any] = {
        "sag": sag,
        "borger": sag.borger,
        "kan_redigere": kan_redigere,
        "i_fase": i_fase,
        "rows": rows,
        "kan_traeffe": kan_traeffe,
        "erstatter": erstatter,
    }
    if kan_traeffe:
        if "ny" in failed:
            context["form"], context["formset"] = failed["ny"]
            context["resultat_fejl"] = failed.get("ny-resultater", [])
        else:
            context["form"], context["formset"] = _record_forms(sag, erstatter)
    return context


def _page(request: HttpRequest, sag: Sag, failed: Failed | None = None) -> HttpResponse:
    return render(request, "assessment/afgoerelse.html", _context(request, sag, failed or {}))


@login_required
@require_GET
def afgoerelse(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, case_selectors.sag_get(user=request_user(request), pk=pk))


# Recording the decision


@login_required
@require_POST
def afgoerelse_create(request: HttpRequest, pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    erstatter = None
    erstatter_pk = request.POST.get("erstatter")
    if erstatter_pk:
        erstatter = (
            sag.afgoerelser.filter(pk=erstatter_pk).first() if erstatter_pk.isdigit() else None
        )
        if erstatter is None:
            raise Http404("Afgørelsen findes ikke i denne sag.")
    form, formset = _record_forms(sag, erstatter, request.POST)
    resultat_fejl: list[str] = []
    if form.is_valid() and formset.is_valid():
        data = dict(form.cleaned_data)
        ydelser = KommunalYdelse.objects.in_bulk(
            [
                f.cleaned_data["kommunal_ydelse"]
                for f in formset
                if f.cleaned_data.get("kommunal_ydelse")
            ]
        )
        vurdering = vurdering_services.sagsvurdering_current(sag=sag)
        indsatser = vurdering.indsatser.in_bulk() if vurdering is not None else {}
        lines = [
            Resultatlinje(
                beskrivelse=f.cleaned_data["beskrivelse"],
                resultat=f.cleaned_data["resultat"],
                virkningsdato=f.cleaned_data["virkningsdato"],
                omfang=f.cleaned_data["omfang"],
                indsats=indsatser.get(f.cleaned_data["indsats"]),
                kommunal_ydelse=ydelser.get(f.cleaned_data["kommunal_ydelse"]),
                nedsaettelse=f.cleaned_data["nedsaettelse"],
            )
            for f in formset
            if f.cleaned_data
        ]
        maalgruppe_pk = data.pop("maalgruppe")
        data.pop("erstatter")
        try:
            created = afgoerelse_services.afgoerelse_create(
                actor=request_user(request),
                sag=sag,
                resultater=lines,
                maalgruppe=(
                    Maalgruppe.objects.current().filter(pk=maalgruppe_pk).first()
                    if maalgruppe_pk
                    else None
                ),
                erstatter=erstatter,
                **data,
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _general_error(request, sag, exc)
            resultat_fejl = [m for e in exc.error_dict.pop("resultater", []) for m in e.messages]
            if exc.error_dict:
                add_service_errors(form, ValidationError(exc.error_dict))
        else:
            messages.success(request, "Afgørelsen er registreret. Ret brevets tekster og send det.")
            return redirect(_page_url(sag, f"afgoerelse-{created.pk}"))
    return _page(request, sag, {"ny": (form, formset), "ny-resultater": resultat_fejl})


# The letter


def _brev_form(request: HttpRequest, afgoerelse: Afgoerelse) -> BrevForm:
    return BrevForm(request.POST, auto_id=f"id_brev{afgoerelse.pk}_%s")


@login_required
@require_POST
def afgoerelse_preview(request: HttpRequest, pk: int, afgoerelse_pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    found = _afgoerelse_or_404(sag, afgoerelse_pk)
    form = _brev_form(request, found)
    form.is_valid()  # every field is optional free text
    user = request_user(request)
    pdf = letters_services.afgoerelse_preview(actor=user, afgoerelse=found, tekster=form.tekster())
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=found,
        borger_id=sag.borger_id,
        summary="Forhåndsvisning af afgørelsesbrev",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="forhaandsvisning-{found.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def afgoerelse_send(request: HttpRequest, pk: int, afgoerelse_pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    found = _afgoerelse_or_404(sag, afgoerelse_pk)
    form = _brev_form(request, found)
    if form.is_valid():
        retter = None
        if form.cleaned_data["retter"]:
            retter = found.breve.defer("pdf").filter(pk=form.cleaned_data["retter"]).first()
            if retter is None:
                raise Http404("Brevet findes ikke for denne afgørelse.")
        try:
            afgoerelse_services.afgoerelse_send(
                actor=request_user(request), afgoerelse=found, tekster=form.tekster(), retter=retter
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, "Rettelsen er sendt." if retter else "Afgørelsesbrevet er sendt."
            )
            return redirect(_page_url(sag, f"afgoerelse-{found.pk}"))
    return _page(request, sag, {f"brev-{found.pk}": form})


@login_required
@require_POST
def forsendelse_resend(request: HttpRequest, pk: int, forsendelse_pk: int) -> HttpResponse:
    """Send again a letter that was not delivered (the caseworker has seen to the reason)."""
    sag = _editable_sag(request, pk)
    failed = Forsendelse.objects.filter(brev__sag=sag, pk=forsendelse_pk).first()
    if failed is None:
        raise Http404("Forsendelsen findes ikke i denne sag.")
    try:
        forsendelse_services.forsendelse_resend(actor=request_user(request), forsendelse=failed)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, "Brevet sendes igen inden for et minut; dets status står ved brevet."
        )
    return redirect(reverse("sag_detail", args=[sag.pk]) + f"#sagsbrev-{failed.brev_id}")


@login_required
@require_http_methods(["GET", "POST"])
def afgoerelse_brev(
    request: HttpRequest, pk: int, afgoerelse_pk: int, brev_pk: int
) -> HttpResponse:
    """The frozen letter; a POST is the confirmed request for one that shows a protected
    address (vum.protected_documents)."""
    user = request_user(request)
    sag = get_sag_or_404(user, pk)
    found = _afgoerelse_or_404(sag, afgoerelse_pk)
    try:
        brev = afgoerelse_selectors.brev_pdf(
            user=user, sag=sag, pk=brev_pk, afgoerelse=found, confirmed=request.method == "POST"
        )
    except AddressNotConfirmed:
        return confirmation_page(
            request,
            document="Afgørelsesbrevet",
            back=reverse("sag_detail", args=[sag.pk]) + f"#sagsbrev-{brev_pk}",
        )
    response = HttpResponse(bytes(brev.pdf), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="afgoerelse-{found.pk}-brev-{brev.pk}.pdf"'
    )
    response["Cache-Control"] = "no-store"
    return response


# Complaints


@login_required
@require_POST
def klage_register(request: HttpRequest, pk: int, afgoerelse_pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    found = _afgoerelse_or_404(sag, afgoerelse_pk)
    form = KlageForm(request.POST, auto_id=f"id_klage{found.pk}_%s")
    if form.is_valid():
        try:
            klage = klage_services.klage_register(
                actor=request_user(request), afgoerelse=found, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            text = "Klagen er registreret"
            messages.success(
                request, text + (" (modtaget efter klagefristen)." if klage.for_sent else ".")
            )
            return redirect(_page_url(sag, f"klage-{klage.pk}"))
    return _page(request, sag, {f"klage-{found.pk}": form})


@login_required
@require_POST
def klage_genvurder(
    request: HttpRequest, pk: int, afgoerelse_pk: int, klage_pk: int
) -> HttpResponse:
    sag = _editable_sag(request, pk)
    found = _afgoerelse_or_404(sag, afgoerelse_pk)
    klage = _klage_or_404(found, klage_pk)
    nye = list(found.erstattet_af.all())
    form = GenvurderingForm(
        request.POST, nye=[(a.pk, str(a)) for a in nye], auto_id=f"id_gv{klage.pk}_%s"
    )
    if form.is_valid():
        ny_pk = form.cleaned_data["ny_afgoerelse"]
        try:
            klage_services.klage_genvurder(
                actor=request_user(request),
                klage=klage,
                genvurdering=form.cleaned_data["genvurdering"],
                dato=form.cleaned_data["dato"],
                ny_afgoerelse=next((a for a in nye if a.pk == ny_pk), None),
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _general_error(request, sag, exc, f"klage-{klage.pk}")
            add_service_errors(form, exc)
        else:
            messages.success(request, "Genvurderingen er registreret.")
            return redirect(_page_url(sag, f"klage-{klage.pk}"))
    return _page(request, sag, {f"genvurdering-{klage.pk}": form})


@login_required
@require_POST
def klage_ankestyrelsen(
    request: HttpRequest, pk: int, afgoerelse_pk: int, klage_pk: int
) -> HttpResponse:
    sag = _editable_sag(request, pk)
    klage = _klage_or_404(_afgoerelse_or_404(sag, afgoerelse_pk), klage_pk)
    form = AnkestyrelsenSendForm(request.POST, auto_id=f"id_as{klage.pk}_%s")
    if form.is_valid():
        try:
            klage_services.klage_send_to_ankestyrelsen(
                actor=request_user(request), klage=klage, dato=form.cleaned_data["dato"]
            )
        except ValidationError as exc:
            return _general_error(request, sag, exc, f"klage-{klage.pk}")
        messages.success(request, "Klagen er registreret som sendt til Ankestyrelsen.")
        return redirect(_page_url(sag, f"klage-{klage.pk}"))
    return _page(request, sag, {f"send-{klage.pk}": form})


@login_required
@require_POST
def klage_ankestyrelsens_afgoerelse(
    request: HttpRequest, pk: int, afgoerelse_pk: int, klage_pk: int
) -> HttpResponse:
    sag = _editable_sag(request, pk)
    klage = _klage_or_404(_afgoerelse_or_404(sag, afgoerelse_pk), klage_pk)
    form = AnkestyrelsensAfgoerelseForm(request.POST, auto_id=f"id_aa{klage.pk}_%s")
    if form.is_valid():
        try:
            klage_services.klage_ankestyrelsens_afgoerelse(
                actor=request_user(request), klage=klage, **form.cleaned_data
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _general_error(request, sag, exc, f"klage-{klage.pk}")
            add_service_errors(form, exc)
        else:
            messages.success(request, "Ankestyrelsens afgørelse er registreret.")
            return redirect(_page_url(sag, f"klage-{klage.pk}"))
    return _page(request, sag, {f"ankestyrelsen-{klage.pk}": form})
