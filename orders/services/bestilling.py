"""The bestilling: an order to each provider with its goals and indsatser, what of the
handleplan goes along (with consent, or the relevant parts by law), new versions when the goals
change, the finance function's notice, and the provider's answer."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessment.models import GRANTING_RESULTS, Afgoerelse, Indsats
from cases.lifecycle import Fase, blockers
from cases.models import Sag, Samtykke
from cases.services.sag import sag_move
from orders.content import (
    PLAN_WITHOUT_CONSENT_LAWS,
    Ordreplan,
    Udkast,
    bestilling_content,
    content_changes,
    indsats_laws,
    order_plan,
)
from orders.letters import (
    bestilling_pdf,
    handleplan_excerpt_pdf,
    handleplan_version_without_address_pdf,
)
from orders.models import (
    Bestilling,
    Handleplan,
    HandleplanVersion,
)
from orders.services.common import (
    bestilling_navn,
    caseworkers_notify,
    fornavn_initialer,
    order_staff_notify,
    udfoerer_link,
)
from vum.access import Action, require
from vum.accounts.models import Organisation, Role, User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record
from vum.notifications.services import Besked, notifikationer_create, notifikationer_handled
from vum.pdf import Pdf

# Phases in which a decision's services are ordered: first after the decision, and again when a
# follow-up changes the goals.
ORDERING_PHASES = (Fase.BESTILLING, Fase.LEVERING, Fase.OPFOELGNING)


# Bestilling


def _consent_to_share(sag: Sag, udfoerer: Organisation) -> Samtykke | None:
    """An active consent to pass information to this provider (a tilbud): one naming it, or a
    general one to tilbud."""
    consents = sag.samtykker.active().filter(
        retning=Samtykke.Retning.VIDEREGIVELSE, part=Samtykke.Part.TILBUD
    )
    return next((c for c in consents if c.covers_tilbud(udfoerer)), None)


def handleplan_attachment(*, sag: Sag, udkast: Udkast) -> str:
    """What of the handleplan goes along: all of it with the citizen's consent; without consent
    only the relevant parts, and only for §§ 101 and 107-110 (SEL § 141 stk. 6)."""
    plan = Handleplan.objects.filter(borger_id=sag.borger_id).first()
    if plan is None or not plan.versioner.exists():
        return Bestilling.Vedlaeg.INGEN
    if _consent_to_share(sag, udkast.udfoerer) is not None:
        return Bestilling.Vedlaeg.HELE
    if any(PLAN_WITHOUT_CONSENT_LAWS.search(indsats_laws(i)) for i in udkast.indsatser):
        return Bestilling.Vedlaeg.RELEVANTE_DELE
    return Bestilling.Vedlaeg.INGEN


def _relevant_parts(content: dict[str, Any], udkast: Udkast) -> dict[str, Any]:
    """The plan cut to this provider: its purpose, the provider's own goals and indsatser."""
    goals = {g.pk for g in udkast.maal}
    indsatser = {i.pk for i in udkast.indsatser}
    return {
        **{key: "" for key in Handleplan.TEXT_FIELDS},
        "formaal": content["formaal"],
        "maal": [g for g in content["maal"] if g["id"] in goals],
        "indsatser": [i for i in content["indsatser"] if i["id"] in indsatser],
    }


@dataclass(frozen=True)
class _Bilag:
    version: HandleplanVersion | None = None
    pdf: bytes | None = None
    # Whether `pdf` printed the citizen's address (Bestilling.bilag_viser_adresse).
    viser_adresse: bool | None = None


def _bilag(*, sag: Sag, udkast: Udkast, vedlaeg: str, actor: User) -> _Bilag:
    """The plan sent with the order, read with the citizen as the order reads them
    (`sag.borger`)."""
    if vedlaeg == Bestilling.Vedlaeg.INGEN:
        return _Bilag()
    version = (
        HandleplanVersion.objects.select_related("handleplan")
        .filter(handleplan__borger_id=sag.borger_id)
        .first()
    )
    assert version is not None
    version.handleplan.borger = sag.borger
    if vedlaeg == Bestilling.Vedlaeg.HELE:
        if version.shows_protected_address:
            # The version printed the citizen's address, protected since: never to a provider.
            pdf = handleplan_version_without_address_pdf(sag=sag, version=version)
            return _Bilag(version, pdf.content, viser_adresse=False)
        return _Bilag(version, bytes(version.pdf), viser_adresse=version.viser_adresse)
    pdf = handleplan_excerpt_pdf(
        sag=sag,
        actor=actor,
        plan=version.handleplan,
        indhold=_relevant_parts(version.indhold, udkast),
        version=version.nummer,
        udfoerer=udkast.udfoerer,
    )
    return _Bilag(version, pdf.content, viser_adresse=False)  # addressed to the provider


def order_blockers(afgoerelse: Afgoerelse, plan: Ordreplan | None = None) -> list[str]:
    """Why the decision's services cannot be ordered now (`plan`: its order plan, if known)."""
    reasons: list[str] = []
    if afgoerelse.sag.fase not in ORDERING_PHASES:
        reasons.append(
            "Bestillinger sendes, når sagen er i fasen bestilling, levering eller opfølgning."
        )
    if not afgoerelse.resultater.filter(resultat__in=GRANTING_RESULTS).exists():
        reasons.append("Afgørelsen bevilger ingen indsats.")
    plan = plan or order_plan(afgoerelse)
    reasons.extend(plan.mangler)
    if not plan.udkast and not plan.mangler and not reasons:
        reasons.append(
            "Ingen af de bevilgede indsatser leveres af en udfører (fx § 100 eller BPA)."
        )
    return reasons


@transaction.atomic
def bestillinger_send(*, actor: User, afgoerelse: Afgoerelse) -> list[Bestilling]:
    """Order the decision's services: one bestilling per provider with only its goals and
    indsatser. A provider that already has an order on the case gets a new version listing
    what changed; an unchanged order is not sent again. Providers no longer in the decision
    have their order ended. The finance function and the providers are notified."""
    sag = (
        Sag.objects.select_for_update(of=("self",))
        .select_related("team", "sagsbehandler", "borger")
        .get(pk=afgoerelse.sag_id)
    )
    require(actor, Action.EDIT, sag)
    afgoerelse.sag = sag
    plan = order_plan(afgoerelse)
    reasons = order_blockers(afgoerelse, plan)
    if reasons:
        raise ValidationError(reasons)
    # The latest version per provider (a refused order stays beside the one sent after it).
    previous = {
        b.udfoerer_id: b
        for b in Bestilling.objects.select_for_update()
        .filter(sag=sag)
        .exclude(status__in=[Bestilling.Status.ERSTATTET, Bestilling.Status.OPHOERT])
        .order_by("version", "pk")
    }
    samarbejdspartnere = (
        Handleplan.objects.filter(borger_id=sag.borger_id)
        .values_list("samarbejdspartnere", flat=True)
        .first()
        or ""
    )
    sent: list[Bestilling] = []
    for udkast in plan.udkast:
        vedlaeg = handleplan_attachment(sag=sag, udkast=udkast)
        content = bestilling_content(
            afgoerelse=afgoerelse,
            udkast=udkast,
            andre=[u for u in plan.udkast if u is not udkast],
            uden_bestilling=plan.uden_bestilling,
            samarbejdspartnere=samarbejdspartnere,
            bilag=Bestilling.Vedlaeg(vedlaeg).label,
        )
        old = previous.pop(udkast.udfoerer.pk, None)
        changes: list[str] = []
        if old is not None:
            changes = content_changes(old.indhold, content)
            if not changes and old.status != Bestilling.Status.AFVIST:
                continue
            if old.status in Bestilling.ACTIVE_STATES:
                old.replace()
                old.save()
                # The new version's notification asks for the answer now.
                notifikationer_handled(kilde=_order_kilde(old))
        sent.append(_bestilling_create(actor, afgoerelse, udkast, content, changes, old, vedlaeg))
    for ended in previous.values():
        if ended.status in Bestilling.ACTIVE_STATES:
            ended.end()
            ended.slutdato = timezone.localdate()
            ended.save()
            audit_record(
                actor=actor, action=AuditAction.UPDATE, obj=ended, summary="Bestilling ophørt"
            )
            _notify_ended(ended)
    _notify_finance(sent)
    return sent


def _bestilling_create(
    actor: User,
    afgoerelse: Afgoerelse,
    udkast: Udkast,
    content: dict[str, Any],
    changes: list[str],
    old: Bestilling | None,
    vedlaeg: str,
) -> Bestilling:
    sag = afgoerelse.sag
    starts = [i.forventet_start for i in udkast.indsatser if i.forventet_start]
    bilag = _bilag(sag=sag, udkast=udkast, vedlaeg=vedlaeg, actor=actor)
    bestilling = Bestilling(
        sag=sag,
        udfoerer=udkast.udfoerer,
        afgoerelse=afgoerelse,
        version=old.version + 1 if old else 1,
        erstatter=old,
        startdato=old.startdato
        if old and old.startdato
        else (min(starts) if starts else timezone.localdate()),
        indhold=content,
        aendringer=changes,
        vedlagt_handleplan=vedlaeg,
        handleplan_version=bilag.version,
        bilag_pdf=bilag.pdf,
        bilag_viser_adresse=bilag.viser_adresse,
        sendt=timezone.now(),
        sendt_af=actor,
        # Signed as letters are: by the case's caseworker, else by whoever sends it.
        underskrevet_af=sag.sagsbehandler or actor,
    )
    bestilling.save()
    bestilling.maal.set(udkast.maal)
    bestilling.indsatser.set(udkast.indsatser)
    pdf = bestilling_pdf(
        sag=sag,
        actor=actor,
        bestilling=bestilling,
        indhold=content,
        underskriver=bestilling.underskrevet_af,
    )
    bestilling.pdf = pdf.content
    bestilling.sha256 = pdf.sha256
    bestilling.save(update_fields=["pdf", "sha256"])
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=bestilling,
        summary=f"Bestilling version {bestilling.version} sendt til {udkast.udfoerer} "
        f"({Bestilling.Vedlaeg(vedlaeg).label.lower()})",
        changes={
            "maal": [g.pk for g in udkast.maal],
            "indsatser": [i.pk for i in udkast.indsatser],
        },
    )
    borger = fornavn_initialer(sag.borger)
    order_staff_notify(
        bestilling=bestilling,
        titel=f"{'Ny' if old is None else 'Ændret'} bestilling: {borger}",
        tekst=(
            f"Bestilling af {bestilling_navn(bestilling)} til {borger} venter på jeres svar."
            if old is None
            else f"Bestillingen af {bestilling_navn(bestilling)} til {borger} er ændret "
            f"(version {bestilling.version}) og venter på jeres svar."
        ),
        link=reverse("orders:udfoerer-bestilling", args=[bestilling.pk]),
        kilde=_order_kilde(bestilling),
    )
    return bestilling


def _order_kilde(bestilling: Bestilling) -> str:
    """The cause of the provider's notification of an order: the order to answer."""
    return f"bestilling-{bestilling.pk}"


def _notify_ended(bestilling: Bestilling) -> None:
    """The provider's access ends with the order today; its staff are told, and the order no
    longer waits for their answer."""
    notifikationer_handled(kilde=_order_kilde(bestilling))
    borger = fornavn_initialer(bestilling.sag.borger)
    order_staff_notify(
        bestilling=bestilling,
        titel=f"Bestilling ophørt: {borger}",
        tekst=f"Bestillingen af {bestilling_navn(bestilling)} til {borger} er ophørt "
        f"{bestilling.slutdato:%d.%m.%Y}, og I har ikke længere adgang til borgerens oplysninger.",
        link=udfoerer_link(bestilling, "bestilling"),
        kilde=f"bestilling-ophoerer-{bestilling.pk}",
    )


def _notify_finance(sent: Iterable[Bestilling]) -> None:
    """The finance function hears of each order with what it pays (no citizen data)."""
    finance = list(User.objects.filter(is_active=True, role=Role.OEKONOMI))
    link = reverse("orders:oekonomi")
    notifikationer_create(
        beskeder=[
            Besked(
                modtager=user,
                titel="Ny bestilling til betaling",
                tekst=(
                    f"Bestilling nr. {b.pk} (version {b.version}) til {b.udfoerer}, start "
                    f"{b.startdato:%d.%m.%Y}, i alt {b.indhold.get('pris_i_alt', '0')} kr. "
                    f"pr. bevillingsperiode. "
                    f"EAN: {b.indhold['betaling'].get('ean') or 'ikke angivet'}."
                ),
                link=link,
                kilde=f"oekonomi-bestilling-{b.pk}",
            )
            for b in sent
            for user in finance
        ]
    )


def _answer(actor: User, bestilling: Bestilling) -> Bestilling:
    require(actor, Action.ANSWER_BESTILLING, bestilling)
    locked = (
        Bestilling.objects.select_for_update(of=("self",))
        .select_related("sag__borger", "sag__sagsbehandler", "sag__team", "udfoerer")
        .get(pk=bestilling.pk)
    )
    if not locked.awaits_answer:
        raise ValidationError(
            f"Bestillingen er allerede {locked.get_status_display().lower()}; opdatér siden."
        )
    return locked


def _answered(bestilling: Bestilling) -> None:
    """Whoever of the provider's staff answered, the order no longer waits for any of them."""
    notifikationer_handled(kilde=_order_kilde(bestilling))


@transaction.atomic
def bestilling_receive(*, actor: User, bestilling: Bestilling) -> Bestilling:
    locked = _answer(actor, bestilling)
    if locked.status != Bestilling.Status.SENDT:
        raise ValidationError("Bestillingen er allerede kvitteret for modtagelse.")
    locked.receive()
    locked.modtaget = timezone.now()
    locked.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, summary="Bestilling modtaget")
    _answered(locked)
    return locked


@transaction.atomic
def bestilling_accept(*, actor: User, bestilling: Bestilling) -> Bestilling:
    """The provider takes the order on. When every order on the case is accepted, delivery
    starts (the case moves to levering)."""
    # The case's row first: two providers accepting at once would each see the other's order
    # still unanswered, and neither would start the delivery.
    Sag.objects.select_for_update().filter(pk=bestilling.sag_id).first()
    locked = _answer(actor, bestilling)
    locked.accept()
    locked.modtaget = locked.modtaget or timezone.now()
    locked.besvaret = timezone.now()
    locked.besvaret_af = actor
    locked.save()
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=locked, summary="Bestilling accepteret"
    )
    _answered(locked)
    borger = fornavn_initialer(locked.sag.borger)
    caseworkers_notify(
        sag=locked.sag,
        titel=f"Bestilling accepteret: {borger}",
        tekst=f"{locked.udfoerer} har accepteret bestillingen af {bestilling_navn(locked)} "
        f"til {borger} (sag {locked.sag_id}).",
        link=reverse("orders:sag-bestillinger", args=[locked.sag_id]) + f"#bestilling-{locked.pk}",
        kilde=f"bestilling-accepteret-{locked.pk}",
    )
    sag = locked.sag
    if sag.fase == Fase.BESTILLING and not blockers(sag, "start_levering"):
        sag_move(actor=actor, sag=sag, name="start_levering")
    return locked


@transaction.atomic
def bestilling_reject(*, actor: User, bestilling: Bestilling, begrundelse: str) -> Bestilling:
    """The provider declines; the reason goes back to the caseworker, who orders elsewhere."""
    if not begrundelse.strip():
        raise ValidationError({"begrundelse": "Skriv hvorfor bestillingen afvises."})
    locked = _answer(actor, bestilling)
    locked.reject()
    locked.modtaget = locked.modtaget or timezone.now()
    locked.besvaret = timezone.now()
    locked.besvaret_af = actor
    locked.afvist_begrundelse = begrundelse.strip()
    locked.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, summary="Bestilling afvist")
    _answered(locked)
    borger = fornavn_initialer(locked.sag.borger)
    # The reason stays in the case: the link leads to it and to the choice of another provider.
    caseworkers_notify(
        sag=locked.sag,
        titel=f"Bestilling afvist: {borger}",
        tekst=f"{locked.udfoerer} har afvist bestillingen af {bestilling_navn(locked)} "
        f"til {borger} (sag {locked.sag_id}). Se begrundelsen, "
        "og vælg en anden udfører i sagen.",
        link=reverse("orders:sag-bestillinger", args=[locked.sag_id]) + f"#afvist-{locked.pk}",
        kilde=f"bestilling-afvist-{locked.pk}",
    )
    return locked


@transaction.atomic
def indsats_udfoerer_set(*, actor: User, indsats: Indsats, udfoerer: Organisation) -> Indsats:
    """Choose another provider for a granted indsats, e.g. after a refusal. The goals the old
    provider supported follow when it has no other indsats. The order is then sent again."""
    sag = Sag.objects.get(pk=indsats.vurdering.sag_id)
    require(actor, Action.EDIT, sag)
    if sag.fase not in ORDERING_PHASES:
        raise ValidationError(
            "Udføreren skiftes, når sagen er i bestilling, levering eller opfølgning."
        )
    old = indsats.udfoerer
    if old is not None and old.pk == udfoerer.pk:
        raise ValidationError({"udfoerer": f"{udfoerer} leverer allerede indsatsen."})
    indsats.udfoerer = udfoerer
    indsats.save(update_fields=["udfoerer"])
    vurdering = indsats.vurdering
    if old is not None and not vurdering.indsatser.filter(udfoerer=old).exists():
        vurdering.maal.filter(udfoerer=old).update(udfoerer=udfoerer)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=sag,
        summary=f"Udfører for indsats {indsats.pk} skiftet til {udfoerer}",
        changes={"udfoerer": {"old": old.pk if old else None, "new": udfoerer.pk}},
    )
    return indsats


def bestilling_pdf_without_address(*, actor: User, bestilling: Bestilling) -> Pdf:
    """The order as it may be served after CPR protected the citizen's address since it was
    sent: rendered from its content as shown (Bestilling.shown_indhold), dated as sent and
    signed as it was, on the first download (by `actor`) and then kept, so that the provider
    and the caseworker get the same document each time."""
    return _kept_once(
        actor=actor,
        bestilling=bestilling,
        field="pdf_uden_adresse",
        sha_field="sha256_uden_adresse",
        render=lambda: bestilling_pdf(
            sag=bestilling.sag,
            actor=actor,
            bestilling=bestilling,
            indhold=bestilling.shown_indhold,
            dato=timezone.localdate(bestilling.sendt),
            underskriver=bestilling.underskrevet_af or bestilling.sendt_af,
        ),
        summary="Bestillingen udskrevet uden adresse (adressebeskyttelse fra CPR) og gemt",
    )


def bestilling_bilag_without_address(*, actor: User, bestilling: Bestilling) -> Pdf:
    """The whole handleplan sent with the order before CPR protected the citizen's address (the
    citizen's version, addressed to them), as it may be served since: the same version rendered
    without the address (handleplan_version_without_address_pdf) on the first download, then
    kept."""
    version = bestilling.handleplan_version
    assert version is not None  # a plan is attached
    return _kept_once(
        actor=actor,
        bestilling=bestilling,
        field="bilag_uden_adresse",
        sha_field=None,
        render=lambda: handleplan_version_without_address_pdf(sag=bestilling.sag, version=version),
        summary="Vedlagt handleplan udskrevet uden adresse (adressebeskyttelse fra CPR) og gemt",
    )


def _kept_once(
    *,
    actor: User,
    bestilling: Bestilling,
    field: str,
    sha_field: str | None,
    render: Callable[[], Pdf],
    summary: str,
) -> Pdf:
    """The rendering kept in the order's `field` (with its SHA-256 in `sha_field`, if any); on
    the first download rendered, kept and audited. Rendered without holding a lock (the
    order's row stays free for the provider's answer), so of two first downloads at once, the
    first saved is kept and served to both."""

    def kept(row: Bestilling) -> Pdf | None:
        content = getattr(row, field)
        if not content:
            return None
        return Pdf(content=bytes(content), sha256=getattr(row, sha_field) if sha_field else "")

    if (earlier := kept(bestilling)) is not None:
        return earlier
    pdf = render()
    saved = {field: pdf.content, **({sha_field: pdf.sha256} if sha_field else {})}
    with transaction.atomic():
        if not Bestilling.objects.filter(pk=bestilling.pk, **{f"{field}__isnull": True}).update(
            **saved
        ):
            first = kept(Bestilling.objects.only(*saved).get(pk=bestilling.pk))
            assert first is not None  # the other download's, just saved
            return first
        audit_record(actor=actor, action=AuditAction.PRINT, obj=bestilling, summary=summary)
    return pdf
