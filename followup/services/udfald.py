"""The outcomes that close the VUM loop: continue the indsats, revise the goals, revisitation,
end it, or the citizen moves away (the case file exported with consent)."""

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessment.models import GRANTING_RESULTS, Afgoerelse, AfgoerelsesResultat, Brev, Partshoering
from assessment.services.afgoerelse import Resultatlinje, afgoerelse_create, afgoerelse_send
from assessment.services.vurdering import sagsvurdering_current
from cases.lifecycle import Fase
from cases.models import Sag, Samtykke, prints_address
from cases.services.sag import journalnotat_create
from followup.models import (
    PROTECTED_DOCUMENTS,
    Opfoelgning,
    Opfoelgningsskema,
    Sagsudlevering,
)
from followup.services.opfoelgning import (
    HANDLEPLAN_DAYS_AFTER,
    opfoelgning_plan,
    phase_move,
)
from followup.services.skema import require_open_skema, skema_blockers
from orders.content import latest_grant, shown
from orders.models import Bestilling, Handleplan, HandleplanVersion
from orders.services.bestilling import bestillinger_send
from orders.services.common import (
    bestilling_navn,
    fornavn_initialer,
    order_staff_notify,
    udfoerer_link,
)
from vum import calendar
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record
from vum.catalog.models import StatusPaaIndsats
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_cancel, frist_create, frist_meet


def _status(slug_name: str) -> StatusPaaIndsats:
    return StatusPaaIndsats.objects.current().get(navn=slug_name)


def _complete(actor: User, skema: Opfoelgningsskema, udfald: str) -> Opfoelgningsskema:
    reasons = skema_blockers(skema)
    if reasons:
        raise ValidationError(reasons)
    skema.udfald = udfald
    skema.afsluttet = timezone.now()
    skema.afsluttet_af = actor
    skema.save()
    opfoelgning = Opfoelgning.objects.select_for_update().get(pk=skema.opfoelgning_id)
    if opfoelgning.status not in (Opfoelgning.Status.PLANLAGT, Opfoelgning.Status.INDKALDT):
        raise ValidationError("Opfølgningen er afsluttet eller aflyst.")
    opfoelgning.complete()
    opfoelgning.save()
    for frist in opfoelgning.frister.filter(status=Frist.Status.AABEN):
        if frist.art == Frist.Art.STATUSNOTAT:
            frist_cancel(frist=frist, begrundelse="Opfølgningen er holdt", actor=actor)
        else:
            frist_meet(frist=frist, actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=skema,
        summary=f"Opfølgning afsluttet: {Opfoelgningsskema.Udfald(udfald).label.lower()}",
    )
    return skema


def _meeting_day(opfoelgning: Opfoelgning) -> date:
    if opfoelgning.moede_tidspunkt is not None:
        return timezone.localtime(opfoelgning.moede_tidspunkt).date()
    return timezone.localdate()


def _wants_a_handleplan(sag: Sag) -> bool:
    """The citizen's answer on the handleplan: the saved plan's, else the one recorded in the
    sagsvurdering (a citizen who wants a plan may not have one saved yet)."""
    plan = Handleplan.objects.filter(borger_id=sag.borger_id).first()
    if plan is not None and plan.oensket is not None:
        return plan.oensket
    vurdering = sagsvurdering_current(sag=sag)
    return bool(vurdering and vurdering.handleplan_oensket)


def _new_handleplan_if_wanted(actor: User, sag: Sag) -> None:
    if _wants_a_handleplan(sag):
        frist_create(
            sag=sag,
            art=Frist.Art.HANDLEPLAN,
            frist=calendar.end_of_day(
                calendar.add_no_later(
                    timezone.localdate(), HANDLEPLAN_DAYS_AFTER, calendar.Unit.DAYS
                )
            ),
            beskrivelse="Ny handleplan efter opfølgningen",
            regel=f"Inden {HANDLEPLAN_DAYS_AFTER} dage, når indsatsen fortsætter",
            ansvarlig=sag.sagsbehandler,
            ansvarligt_team=sag.team,
            actor=actor,
        )


@transaction.atomic
def opfoelgning_continue(*, actor: User, skema: Opfoelgningsskema) -> Opfoelgning:
    """Continue unchanged: a decision, recorded as a journal note when the citizen agrees
    (handbook l. 9320-9322); the next follow-up is planned and delivery goes on."""
    skema = require_open_skema(actor, skema)
    if skema.borger_enig is not True:
        raise ValidationError(
            {
                "borger_enig": "Når borgeren ikke er enig, træffes en skriftlig afgørelse: vælg "
                "revisitation."
            }
        )
    if skema.status_paa_indsats is not None and skema.status_paa_indsats.navn != (
        "Træf afgørelse om fortsættelse af indsats"
    ):
        raise ValidationError("Status på indsatsen skal være fortsættelse.")
    _complete(actor, skema, Opfoelgningsskema.Udfald.FORTSAET)
    sag = skema.opfoelgning.sag
    journalnotat_create(
        actor=actor,
        sag=sag,
        emne="Afgørelse om fortsættelse af indsats",
        tekst=(
            "Indsatsen fortsætter uændret efter opfølgningen. Borgeren er enig, så afgørelsen "
            f"noteres her. {skema.samlet_konklusion}"
        ),
    )
    return _go_on(actor, skema)


def _go_on(actor: User, skema: Opfoelgningsskema) -> Opfoelgning:
    sag = Sag.objects.get(pk=skema.opfoelgning.sag_id)
    if sag.fase == Fase.OPFOELGNING:
        sag = phase_move(actor=actor, sag=sag, name="fortsaet_levering")
    _new_handleplan_if_wanted(actor, sag)
    return opfoelgning_plan(
        actor=actor, sag=sag, after=_meeting_day(skema.opfoelgning), agreed=skema.naeste_dato
    )


@transaction.atomic
def opfoelgning_revise_goals(
    *, actor: User, skema: Opfoelgningsskema, maal: dict[int, dict[str, Any]]
) -> list[Bestilling]:
    """Revise the goals marked "Mål skal revideres" (or end those marked "Mål skal afsluttes"):
    the assessment's goals are updated in place and a new bestilling version, listing what
    changed, goes to each provider concerned."""
    skema = require_open_skema(actor, skema)
    rows = {r.indsatsmaal_id: r for r in skema.maal.select_related("indsatsmaal", "fremadrettet")}
    revise = {pk for pk, r in rows.items() if r.fremadrettet and "revideres" in r.fremadrettet.navn}
    if not revise:
        raise ValidationError("Ingen mål er markeret 'Mål skal revideres'.")
    if set(maal) - revise:
        raise ValidationError({"maal": "Kun mål markeret 'Mål skal revideres' kan ændres her."})
    allowed = {
        "maalformulering",
        "forventet_niveau",
        "opfoelgning",
        "opfoelgningsdato",
        "timer_pr_uge",
    }
    _complete(actor, skema, Opfoelgningsskema.Udfald.REVIDER)
    for pk, values in maal.items():
        if set(values) - allowed:
            raise ValidationError(f"Ukendte felter: {', '.join(sorted(set(values) - allowed))}.")
        goal = rows[pk].indsatsmaal
        for name, value in values.items():
            setattr(goal, name, value)
        if not goal.maalformulering.strip():
            raise ValidationError({"maalformulering": "Skriv målet med borgerens egne ord."})
        goal.full_clean(exclude=["vurdering", "aktuel_vurdering"])
        goal.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=skema.opfoelgning.sag,
            summary=f"Mål {goal.raekkefoelge} revideret ved opfølgning",
            changes={"felter": sorted(values)},
        )
    decision = latest_grant(skema.opfoelgning.sag)
    assert decision is not None
    sent = bestillinger_send(actor=actor, afgoerelse=decision)
    _go_on(actor, skema)
    return sent


@transaction.atomic
def opfoelgning_revisitation(*, actor: User, skema: Opfoelgningsskema, begrundelse: str) -> Sag:
    """Change tilbud or ydelse, or end and re-assess for something new: back to sagsoplysning
    for a new udredning of the themes that matter, then a new decision."""
    skema = require_open_skema(actor, skema)
    if not begrundelse.strip():
        raise ValidationError({"begrundelse": "Skriv hvad der skal revisiteres og hvorfor."})
    _complete(actor, skema, Opfoelgningsskema.Udfald.REVISITATION)
    return phase_move(
        actor=actor, sag=skema.opfoelgning.sag, name="revisitation", begrundelse=begrundelse
    )


@transaction.atomic
def opfoelgning_end(
    *,
    actor: User,
    skema: Opfoelgningsskema,
    virkningsdato: date,
    begrundelse_vurdering: str,
    begrundelse_regler: str,
    begrundelse_oplysninger: str = "",
) -> Afgoerelse:
    """End the indsats: a decision that ends each granted service, with reasons, its notice
    (`assessment.varsel`) and the hearing the catalog asks for, and its letter; the bestillinger
    end on the effective day (the provider's access with them), and the case is closed. Nothing
    ends back in time."""
    skema = require_open_skema(actor, skema)
    sag = skema.opfoelgning.sag
    previous = latest_grant(sag)
    if previous is None:
        raise ValidationError("Der er ingen bevilget indsats at afslutte.")
    _complete(actor, skema, Opfoelgningsskema.Udfald.OPHOER)
    lines = [
        Resultatlinje(
            beskrivelse=r.beskrivelse,
            resultat=AfgoerelsesResultat.Resultat.OPHOER,
            virkningsdato=virkningsdato,
            indsats=r.indsats,
            kommunal_ydelse=r.kommunal_ydelse,
            nedsaettelse=True,
        )
        for r in previous.resultater.filter(resultat__in=GRANTING_RESULTS)
    ]
    decision = afgoerelse_create(
        actor=actor,
        sag=sag,
        truffet_af=Afgoerelse.TruffetAf.SAGSBEHANDLER,
        form=Afgoerelse.Form.SKRIFTLIG,
        fuldt_medhold=False,
        resultater=lines,
        begrundelse_vurdering=begrundelse_vurdering,
        begrundelse_regler=begrundelse_regler,
        begrundelse_oplysninger=begrundelse_oplysninger,
        erstatter=previous,
    )
    # The letter is built from the reasons just given and frozen; it leaves after commit. Its
    # dispatch may move the effective day to respect the notice: the orders end on the day the
    # decision says.
    afgoerelse_send(actor=actor, afgoerelse=decision, tekster={})
    ends = max(r.virkningsdato for r in decision.resultater.all())
    _end_orders(actor, sag, ends)
    phase_move(
        actor=actor, sag=sag, name="afslut", begrundelse=f"Indsatsen ophører {ends:%d.%m.%Y}."
    )
    return decision


# The case file for a new municipality: what the case holds, as structured JSON, and its letters.
EXPORTED_ROWS: tuple[tuple[str, str], ...] = (
    ("cases.Henvendelse", "sag"),
    ("cases.Sagsaabning", "sag"),
    ("cases.Diagnose", "sag"),
    ("cases.EksisterendeOplysning", "sag"),
    ("cases.Formaal", "sag"),
    ("cases.Samtykke", "sag"),
    ("cases.Journalnotat", "sag"),
    ("cases.Overgang", "sag"),
    ("assessment.Udredning", "sag"),
    ("assessment.TemaOplysning", "udredning__sag"),
    ("assessment.Funktionsevnevurdering", "udredning__sag"),
    ("assessment.Partshoering", "sag"),
    ("assessment.Sagsvurdering", "sag"),
    ("assessment.Indsatsmaal", "vurdering__sag"),
    ("assessment.Indsats", "vurdering__sag"),
    ("assessment.Prislinje", "indsats__vurdering__sag"),
    ("assessment.Afgoerelse", "sag"),
    ("assessment.AfgoerelsesResultat", "afgoerelse__sag"),
    ("assessment.Klage", "sag"),
    ("orders.Bestilling", "sag"),
    ("orders.Delmaal", "sag"),
    ("orders.Delmaalsnotat", "delmaal__sag"),
    ("orders.Magtanvendelse", "sag"),
    ("followup.Opfoelgning", "sag"),
    ("followup.Opfoelgningsskema", "opfoelgning__sag"),
    ("followup.SkemaMaal", "skema__opfoelgning__sag"),
)


def _end_orders(actor: User, sag: Sag, slutdato: date) -> None:
    """The orders end on `slutdato`, and the provider's access with them; its staff are told."""
    borger = fornavn_initialer(sag.borger)
    for order in Bestilling.objects.filter(sag=sag).active().select_related("sag", "udfoerer"):
        order.slutdato = slutdato
        if slutdato <= timezone.localdate():
            order.end()  # ends now: no access for the rest of the day
        order.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=order,
            summary=f"Bestilling ophører {slutdato:%d.%m.%Y}",
        )
        order_staff_notify(
            bestilling=order,
            titel=f"Bestilling ophører: {borger}",
            tekst=f"Bestillingen af {bestilling_navn(order)} til {borger} ophører "
            f"{slutdato:%d.%m.%Y}.",
            link=udfoerer_link(order, "bestilling"),
            kilde=f"bestilling-ophoerer-{order.pk}",
        )


def _case_json(sag: Sag) -> dict[str, Any]:
    from django.apps import apps
    from django.core import serializers
    from django.db.models import BinaryField

    borger = sag.borger
    data: dict[str, Any] = {
        "format": "vum-sagsudlevering/1",
        "udleveret": timezone.now().isoformat(),
        "borger": {
            "cpr": borger.cpr,
            "fornavn": borger.fornavn,
            "efternavn": borger.efternavn,
            # A protected address is never exported; the receiver reads it from CPR.
            **borger.postal_address,
            "adressebeskyttet": borger.adressebeskyttet,
        },
        "sag": {
            "id": sag.pk,
            "team": sag.team.navn,
            "fase": sag.fase,
            "aarsag": sag.aarsag,
            "oprettet": sag.oprettet.isoformat(),
        },
    }
    for label, path in EXPORTED_ROWS:
        model = apps.get_model(label)
        binary = [f.name for f in model._meta.fields if isinstance(f, BinaryField)]
        rows = serializers.serialize("python", model.objects.filter(**{path: sag}))
        for row in rows:
            for name in binary:
                row["fields"].pop(name, None)
            if model is Bestilling:
                # An order frozen before CPR protected the address holds it in its content.
                row["fields"]["indhold"] = shown(row["fields"]["indhold"], borger)
        data[label] = rows
    return data


@dataclass(frozen=True)
class _Document:
    name: str
    content: bytes
    # Printed the citizen's address (None: not known, so it may have).
    printed_address: bool | None = False
    # Shows an address CPR protects now (Borger.shows_protected_address).
    shows_protected_address: bool = False


def _documents(sag: Sag) -> Iterable[_Document]:
    """The case's frozen documents as they were sent: the file is the record, and goes to a
    public authority, which may know a protected address. Those that show one are named in the
    file's sag.json, so that the receiver keeps it from others."""
    for brev in Brev.objects.filter(sag=sag).order_by("oprettet"):
        brev.sag = sag
        yield _Document(
            f"breve/{brev.oprettet:%Y-%m-%d}-{brev.art}-{brev.pk}.pdf",
            bytes(brev.pdf),
            brev.printed_address,
            brev.shows_protected_address,
        )
    for hoering in Partshoering.objects.filter(sag=sag).order_by("sendt"):
        hoering.sag = sag
        yield _Document(
            f"partshoering/{hoering.sendt:%Y-%m-%d}-{hoering.pk}.pdf",
            bytes(hoering.brev_pdf),
            hoering.printed_address,
            hoering.shows_protected_address,
        )
    for indstilling in sag.indstillinger.exclude(pdf=None):
        yield _Document(f"indstilling/{indstilling.pk}.pdf", bytes(indstilling.pdf or b""))
    versions = HandleplanVersion.objects.filter(handleplan__borger=sag.borger_id)
    for version in versions.select_related("handleplan"):
        version.handleplan.borger = sag.borger
        yield _Document(
            f"handleplan/version-{version.nummer}.pdf",
            bytes(version.pdf),
            version.viser_adresse,
            version.shows_protected_address,
        )
    for order in Bestilling.objects.filter(sag=sag).exclude(pdf=None):
        order.sag = sag
        yield _Document(
            f"bestillinger/{order.pk}-version-{order.version}.pdf",
            bytes(order.pdf or b""),
            order.pdf_printed_address,
            order.pdf_shows_protected_address,
        )


@transaction.atomic
def opfoelgning_move_away(
    *, actor: User, skema: Opfoelgningsskema, modtager: str
) -> Sagsudlevering:
    """The citizen moves: with consent to pass the file to the new acting municipality, the
    case file is exported (letters and documents as PDF, the case as JSON), the orders end and
    the case ends here."""
    skema = require_open_skema(actor, skema)
    sag = skema.opfoelgning.sag
    if not modtager.strip():
        raise ValidationError({"modtager": "Angiv den nye handlekommune."})
    consent = (
        sag.samtykker.active()
        .filter(retning=Samtykke.Retning.VIDEREGIVELSE, part=Samtykke.Part.NY_HANDLEKOMMUNE)
        .first()
    )
    if consent is None:
        raise ValidationError(
            "Sagen kan kun sendes videre med borgerens samtykke til videregivelse til den nye "
            "handlekommune. Registrér samtykket først."
        )
    _complete(actor, skema, Opfoelgningsskema.Udfald.FRAFLYTNING)
    sag = Sag.objects.select_related("borger", "team").get(pk=sag.pk)
    buffer = io.BytesIO()
    documents = list(_documents(sag))
    case_json = _case_json(sag)
    showing = [document.name for document in documents if document.shows_protected_address]
    case_json["borger"][PROTECTED_DOCUMENTS] = showing
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "sag.json", json.dumps(case_json, ensure_ascii=False, indent=2, default=str)
        )
        for document in documents:
            archive.writestr(document.name, document.content)
    content = buffer.getvalue()
    udlevering = Sagsudlevering.objects.create(
        sag=sag,
        modtager=modtager.strip(),
        samtykke=consent,
        indhold=content,
        sha256=hashlib.sha256(content).hexdigest(),
        # The file holds the address vum read now, or documents that printed one: a protection
        # found later covers them.
        viser_adresse=prints_address(case_json["borger"])
        or any(document.printed_address is not False for document in documents),
        oprettet_af=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=udlevering,
        summary=f"Sagen udleveret til {udlevering.modtager} (SHA-256 {udlevering.sha256[:12]}…)",
    )
    _end_orders(actor, sag, timezone.localdate())
    phase_move(
        actor=actor,
        sag=sag,
        name="afslut",
        begrundelse=f"Borgeren er flyttet; {udlevering.modtager} er ny handlekommune.",
    )
    return udlevering
