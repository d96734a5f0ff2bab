"""The phase's letters and documents: the context each is built from, and the decision letter's
preview. Services freeze and send them; selectors show them; both import this module."""

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from assessment.models import (
    Afgoerelse,
    AfgoerelsesResultat,
    Indstilling,
    Kildehenvisning,
    Opfoelgningsinterval,
    Sagsvurdering,
)
from assessment.services.vurdering import decision_route, yearly_cost
from assessment.varsel import ends_or_reduces, notice_weeks
from cases.models import Sag
from vum.access import Action, require
from vum.accounts.models import User
from vum.catalog.selectors import current_kommune
from vum.pdf import render_pdf


def letter_context(
    sag: Sag, actor: User, *, dato: date | None = None, underskriver: User | None = None
) -> dict[str, Any]:
    """What every letter's head and signature read; `dato` is the letter's date (today by
    default; an earlier letter rendered again keeps its own) and `underskriver` who signs it
    (the case's caseworker by default; an earlier letter rendered again keeps its sender)."""
    caseworker = underskriver or sag.sagsbehandler or actor
    return {
        "kommune": current_kommune().navn,
        "afdeling": sag.team.navn,
        "sagsbehandler": {
            "navn": caseworker.get_full_name() or caseworker.username,
            "telefon": caseworker.telefon,
            "titel": caseworker.titel,
        },
        "dato": dato or timezone.localdate(),
        "sag": sag,
        "borger": sag.borger,
    }


def indstilling_context(*, indstilling: Indstilling, actor: User) -> dict[str, Any]:
    """Everything the indstilling's sections show (phases.md §4), from the case itself."""
    sag, vurdering = indstilling.sag, indstilling.vurdering
    indsatser = list(
        vurdering.indsatser.prefetch_related("ydelser", "prislinjer__ydelse").select_related(
            "tilbudstype", "udfoerer", "kommunal_ydelse"
        )
    )
    udredning = vurdering.udredning
    return {
        **letter_context(sag, actor),
        "indstilling": indstilling,
        "vurdering": vurdering,
        "formaal": sag.formaal_versioner.first(),
        "diagnoser": list(sag.diagnoser.all()),
        "temaer": [t for t in udredning.temaer.select_related("tema") if t.is_informed]
        if udredning
        else [],
        "maal": list(
            vurdering.maal.select_related(
                "maaltype", "primaert_undertema", "aktuel_vurdering__niveau", "udfoerer"
            )
        ),
        "indsatser": [i for i in indsatser if not i.alternativ],
        "alternativer": [i for i in indsatser if i.alternativ],
        "aarlig_udgift": yearly_cost(vurdering=vurdering),
        "maalgrupper": list(vurdering.maalgrupper.select_related("maalgruppe")),
        "tilbud": list(indstilling.indhentede_tilbud.all()),
        "route": decision_route(vurdering=vurdering),
    }


def letter_recipient(sag: Sag) -> tuple[dict[str, str], str]:
    """The citizen, or the guardian/representative who holds the citizen's rights (then with a
    copy to the citizen). A citizen with name and address protection has no address here: it is
    never printed in a letter's header (the letter goes by Digital Post, by CPR number)."""
    holder = sag.borger.relationer.current().filter(varetager_partsrettigheder=True).first()
    borger = sag.borger
    if holder is None:
        return (
            {
                "navn": borger.navn,
                **borger.postal_address,
                "email": borger.email,
                "cpr": borger.cpr,
            },
            "",
        )
    return (
        {
            "navn": holder.navn,
            "adresse": holder.adresse,
            "postnummer": "",
            "by": "",
            "email": holder.email,
            "cpr": holder.cpr,
        },
        borger.navn,
    )


def in_sentence(name: str) -> str:
    """A service's name as it reads inside a sentence: the catalog and the assessment write
    "Socialpædagogisk støtte", the letter "Du får socialpædagogisk støtte". Only a capital
    followed by a small letter is lowered, so that "§ 85", "BPA" or "SKS-kode" keep theirs."""
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def purpose_sentence(indsatsformaal: str) -> str:
    """The purpose as the letter says it to the citizen: "Formålet med indsatsen er, at du …".
    Caseworkers type it as "at du kan …", "du kan …" or "Du skal lære …" (and with or without
    a full stop): the leading "at" is the sentence's own, and "Du" is lowered mid-sentence;
    anything else stays as typed. Empty when there is no purpose."""
    purpose = re.sub(r"^at\b\s*", "", indsatsformaal.strip(), flags=re.IGNORECASE)
    if not purpose:
        return ""
    if re.match(r"Du\b", purpose):
        purpose = "d" + purpose[1:]
    if not purpose.endswith((".", "!", "?", "…")):
        purpose += "."
    return f"Formålet med indsatsen er, at {purpose}"


def _subject(row: AfgoerelsesResultat) -> str:
    name = in_sentence(row.beskrivelse)
    if row.resultat == AfgoerelsesResultat.Resultat.OPHOER:
        return f"ophør af {name}"
    if row.resultat == AfgoerelsesResultat.Resultat.NEDSAETTELSE:
        return f"nedsættelse af {name}"
    return name


def _typed_or(typed: str, draft: str) -> str:
    """What the caseworker typed on the decision, else the draft."""
    return typed if typed.strip() else draft


def _drafted_reasons(vurdering: Sagsvurdering) -> dict[str, str]:
    """The decision's reasons as the sagsvurdering already states them: its assessment of the
    situation, the support need and the eligibility; what it rests on; and how the citizen's
    own view of their need was weighed (where the citizen and the assessment may part)."""
    assessment = (
        vurdering.vurdering_af_situation,
        vurdering.vurdering_af_stoettebehov,
        vurdering.berettigelse_begrundelse,
    )
    return {
        "begrundelse_vurdering": "\n\n".join(t.strip() for t in assessment if t.strip()),
        "begrundelse_oplysninger": _sources(vurdering),
        "saerligt_om_synspunkter": vurdering.borgerens_behov_vurderet.strip(),
    }


def _sources(vurdering: Sagsvurdering) -> str:
    """What the assessment rests on, as the letter's "Vi har lagt vægt på:" names it: the
    sources of the udredning it was made from (the assessment builds on nothing else), and the
    citizen's own account where the udredning has one."""
    udredning = vurdering.udredning
    if udredning is None:
        return ""
    informed = [t for t in udredning.temaer.all() if t.is_informed]
    titles: list[str] = []
    for kilde in Kildehenvisning.objects.filter(tema_oplysning__in=informed):
        title = f"{kilde.titel} af {kilde.dato:%d.%m.%Y}" if kilde.dato else kilde.titel
        if title not in titles:
            titles.append(title)
    if any(t.fra_borgeren.strip() for t in informed):
        titles.append("dine egne oplysninger")
    if not titles:
        return ""
    if len(titles) == 1:
        return f"{titles[0]}."
    return f"{', '.join(titles[:-1])} og {titles[-1]}."


def afgoerelse_letter_texts(*, afgoerelse: Afgoerelse) -> dict[str, str]:
    """The free texts of the letter, filled from what the earlier phases know; the caseworker
    edits them in the preview before sending. A decision that ends or reduces help, or replaces
    an earlier one, answers no application, so it names none; the follow-up is promised only for
    help that continues.

    The reasons the caseworker left empty on the decision are drafted from the sagsvurdering,
    whose assessment the decision answers; text typed on the decision is kept as typed. For a
    decision that answers no application the sagsvurdering's reasons are not its reasons, so
    nothing is drafted for it."""
    sag, vurdering = afgoerelse.sag, afgoerelse.vurdering
    rows = list(afgoerelse.resultater.all())
    answers_application = afgoerelse.erstatter_id is None and not any(
        ends_or_reduces(r) for r in rows
    )
    first = sag.henvendelser.order_by("modtaget").first() if answers_application else None
    continues = any(
        r.resultat
        in (AfgoerelsesResultat.Resultat.BEVILGET, AfgoerelsesResultat.Resultat.DELVIST_AFSLAG)
        for r in rows
    )
    follow_up = ""
    if vurdering is not None and continues:
        if vurdering.faelles_opfoelgningsdato:
            follow_up = (
                f"Vi følger op på indsatsen senest {vurdering.faelles_opfoelgningsdato:%d.%m.%Y}."
            )
        elif vurdering.faelles_opfoelgning:
            interval = Opfoelgningsinterval(vurdering.faelles_opfoelgning).label
            follow_up = f"Vi følger op på indsatsen efter {interval}."
    drafts = _drafted_reasons(vurdering) if vurdering is not None and answers_application else {}
    return {
        "overskrift": f"Afgørelse om {', '.join(_subject(r) for r in rows)}"
        + (f", din henvendelse modtaget {first.modtaget:%d.%m.%Y}" if first else ""),
        "begrundelse_vurdering": _typed_or(
            afgoerelse.begrundelse_vurdering, drafts.get("begrundelse_vurdering", "")
        ),
        "begrundelse_oplysninger": _typed_or(
            afgoerelse.begrundelse_oplysninger, drafts.get("begrundelse_oplysninger", "")
        ),
        "begrundelse_regler": afgoerelse.begrundelse_regler,
        "saerligt_om_synspunkter": _typed_or(
            afgoerelse.saerligt_om_synspunkter, drafts.get("saerligt_om_synspunkter", "")
        ),
        "indsatsformaal": vurdering.indsatsformaal if vurdering and continues else "",
        "opfoelgning": follow_up,
        "kontakt": "Du er velkommen til at kontakte mig, hvis du har spørgsmål.",
    }


@dataclass(frozen=True)
class Resultatafsnit:
    """One result as the letter states it, with the notice an end or a reduction has; the
    service's name as it reads inside the result's sentence (`in_sentence`)."""

    resultat: str
    beskrivelse: str
    omfang: str
    virkningsdato: date
    nedsaettelse: bool
    varsel_uger: int
    flyttet: bool


LETTER_TEXT_KEYS = (
    "overskrift",
    "begrundelse_vurdering",
    "begrundelse_oplysninger",
    "begrundelse_regler",
    "saerligt_om_synspunkter",
    "indsatsformaal",
    "opfoelgning",
    "kontakt",
)


def afgoerelse_letter_context(
    *,
    afgoerelse: Afgoerelse,
    actor: User,
    tekster: dict[str, str],
    flyttet: set[int] | None = None,
) -> dict[str, Any]:
    """The decision letter's context; `flyttet` names the results whose effective date the
    dispatch moved to respect the notice (the letter says so)."""
    sag = afgoerelse.sag
    recipient, copy_to = letter_recipient(sag)
    resultater = list(
        afgoerelse.resultater.select_related("kommunal_ydelse").prefetch_related(
            "kommunal_ydelse__hjemler__lovhenvisning"
        )
    )
    hjemler = []
    seen: set[int] = set()
    for line in resultater:
        if line.kommunal_ydelse is None:
            continue
        for hjemmel in line.kommunal_ydelse.hjemler.all():
            if hjemmel.lovhenvisning_id not in seen:
                seen.add(hjemmel.lovhenvisning_id)
                hjemler.append(hjemmel)
    appealable = not all(h.klageadgang is False for h in hjemler) if hjemler else True
    texts = {**afgoerelse_letter_texts(afgoerelse=afgoerelse), **tekster}
    return {
        **letter_context(sag, actor),
        "modtager": {**recipient, "er_borger": not copy_to},
        "kopi_til": copy_to,
        "afgoerelse": afgoerelse,
        "resultater": [
            Resultatafsnit(
                resultat=r.resultat,
                beskrivelse=in_sentence(r.beskrivelse),
                omfang=r.omfang,
                virkningsdato=r.virkningsdato,
                nedsaettelse=r.nedsaettelse,
                varsel_uger=notice_weeks(r),
                flyttet=r.pk in (flyttet or set()),
            )
            for r in resultater
        ],
        "tekster": texts,
        "formaal": purpose_sentence(texts["indsatsformaal"]),
        "lovhenvisninger": [h.lovhenvisning for h in hjemler],
        "klageadgang": appealable,
    }


def afgoerelse_preview(*, actor: User, afgoerelse: Afgoerelse, tekster: dict[str, str]) -> bytes:
    """The letter as it would be sent with these texts; nothing is stored."""
    require(actor, Action.EDIT, afgoerelse.sag)
    pdf = render_pdf(
        template_name="letters/afgoerelse.html",
        context=afgoerelse_letter_context(afgoerelse=afgoerelse, actor=actor, tekster=tekster),
    )
    return pdf.content
