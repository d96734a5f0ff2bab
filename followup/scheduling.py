"""When the next follow-up is due: the earliest of what the goals say, what the municipality's
catalog says for the granted services, what the law says (§ 100 yearly), and the 2-year ceiling.
Each is a date at the latest ("senest"), so one that falls on a closed day comes back to the
working day before (`vum.calendar.add_no_later`); an agreed or a concrete date is kept."""

import re
from dataclasses import dataclass
from datetime import date

from assessment.models import Afgoerelse, Opfoelgningsinterval, Sagsvurdering
from orders.content import granted_indsatser, indsats_laws
from vum import calendar

INTERVAL_MONTHS = {
    Opfoelgningsinterval.EN_MAANED: 1,
    Opfoelgningsinterval.TRE_MAANEDER: 3,
    Opfoelgningsinterval.SEKS_MAANEDER: 6,
    Opfoelgningsinterval.ET_AAR: 12,
}
# The handbook (l. 8809) requires a yearly follow-up of § 100; the ceiling for all is 2 years
# after the last one (seed 000 3.7).
YEARLY_LAWS = re.compile(r"§\s*100(?!\d)")
CEILING_MONTHS = 24


@dataclass(frozen=True)
class Forslag:
    dato: date
    grundlag: str


def _goal_dates(vurdering: Sagsvurdering, after: date, first: bool) -> list[Forslag]:
    found: list[Forslag] = []
    if vurdering.samme_opfoelgning_for_alle_maal:
        rows = [
            (
                "Fælles opfølgning for målene",
                vurdering.faelles_opfoelgning,
                vurdering.faelles_opfoelgningsdato,
            )
        ]
    else:
        rows = [
            (f"Opfølgning på mål {g.raekkefoelge}", g.opfoelgning, g.opfoelgningsdato)
            for g in vurdering.maal.all()
        ]
    for label, interval, fixed in rows:
        if interval == Opfoelgningsinterval.KONKRET_DATO or (fixed and not interval):
            if first and fixed is not None and fixed > after:
                found.append(Forslag(fixed, f"{label}: {fixed:%d.%m.%Y}"))
            continue
        months = INTERVAL_MONTHS.get(interval)  # type: ignore[call-overload]
        if months:
            found.append(
                Forslag(
                    calendar.add_no_later(after, months, calendar.Unit.MONTHS),
                    f"{label}: {Opfoelgningsinterval(interval).label}",
                )
            )
    return found


def next_follow_up(
    *, afgoerelse: Afgoerelse, after: date, first: bool, agreed: date | None = None
) -> Forslag:
    """The date of the next follow-up counted from `after` (the start of delivery for the
    first, the last follow-up after that), and the rule that set it."""
    candidates: list[Forslag] = []
    if agreed is not None:
        candidates.append(Forslag(agreed, f"Aftalt ved opfølgningen: {agreed:%d.%m.%Y}"))
    vurdering = afgoerelse.vurdering
    if vurdering is not None and agreed is None:
        candidates.extend(_goal_dates(vurdering, after, first))
    for indsats in granted_indsatser(afgoerelse):
        service = indsats.kommunal_ydelse
        if service is not None and service.opfoelgning_enhed:
            value = service.foerste_opfoelgning if first else None
            value = value or service.opfoelgning_interval_maks
            if value:
                kind = (
                    "første opfølgning" if first and service.foerste_opfoelgning else "opfølgning"
                )
                unit = calendar.Unit(service.opfoelgning_enhed)
                candidates.append(
                    Forslag(
                        calendar.add_no_later(after, value, unit),
                        f"{service.kode} {service.navn}: {kind} senest efter {value} {unit.label}",
                    )
                )
        if YEARLY_LAWS.search(indsats_laws(indsats)):
            candidates.append(
                Forslag(
                    calendar.add_no_later(after, 12, calendar.Unit.MONTHS),
                    "§ 100: opfølgning mindst én gang om året",
                )
            )
    candidates.append(
        Forslag(
            calendar.add_no_later(after, CEILING_MONTHS, calendar.Unit.MONTHS),
            "Senest 2 år efter seneste opfølgning",
        )
    )
    return min(candidates, key=lambda f: f.dato)
