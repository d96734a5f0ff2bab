"""Notice (varsel) before a decision that ends or reduces help takes effect.

Serviceloven § 3 a, stk. 1 (seed 004 l. 1975-1985; the handbook, seed 001 l. 8773-8778): a
decision that withdraws or reduces help under §§ 95, 96 and 98 takes effect no earlier than 14
weeks after the citizen received it; so does withdrawing a place in a day or club offer under §§
32 and 36, car support under § 114 before its replacement period ends, and compensation for lost
earnings under § 42. The municipal catalogs may ask for more (a hjemmel's `varsel_uger`); the
law's 14 weeks hold whether or not a catalog service is named. The paragraphs are read from the
line itself, its catalog service and the FFB services of its indsats, so a line without a catalog
service is not left without its notice.

Both the decision's services (which check and, at dispatch, move the effective date) and the
letters (which state the notice) use this module.
"""

import re
from typing import Any

from assessment.models import AfgoerelsesResultat

LAW_NOTICE_WEEKS = 14
NOTICE_PARAGRAPHS = frozenset({32, 36, 42, 95, 96, 98, 114})
NOTICE_SOURCE = "servicelovens § 3 a"
# "§ 85", "§§ 95, 96 og 98", "§ 82 a", "§ 107, stk. 2": the numbers that follow a section sign
# (a paragraph's letter, as in "82 a", is one letter standing alone).
_SECTIONS = re.compile(r"§§?\s*((?:\d+(?:\s?[a-z](?![a-zæøå]))?(?:\s*(?:,|og|-)\s*(?=\d))?)+)")

ENDING_RESULTS = frozenset(
    {AfgoerelsesResultat.Resultat.OPHOER, AfgoerelsesResultat.Resultat.NEDSAETTELSE}
)


def paragraphs(text: str) -> set[int]:
    """The paragraph numbers a text cites."""
    return {int(n) for group in _SECTIONS.findall(text) for n in re.findall(r"\d+", group)}


def ends_or_reduces(line: Any) -> bool:
    """Does a result line (a `Resultatlinje` or a stored `AfgoerelsesResultat`) end or reduce
    help the citizen has?"""
    return bool(line.nedsaettelse) or line.resultat in ENDING_RESULTS


def _services(line: Any) -> set[Any]:
    indsats = line.indsats
    return {s for s in (line.kommunal_ydelse, getattr(indsats, "kommunal_ydelse", None)) if s}


def line_paragraphs(line: Any) -> set[int]:
    """The paragraphs a result line rests on: cited in its description, its catalog service's
    name and hjemler, and the FFB services of its indsats."""
    texts = [line.beskrivelse]
    for service in _services(line):
        texts.append(service.navn)
        texts.extend(h.lovhenvisning.henvisning for h in service.hjemler.all())
    if line.indsats is not None:
        texts.extend(ydelse.lovgrundlag for ydelse in line.indsats.ydelser.all())
    return paragraphs(" ".join(texts))


def notice_weeks(line: Any) -> int:
    """The weeks of notice the line needs: the law's for the paragraphs it rests on, or the
    catalog's if that is longer; none for a line that does not end or reduce help."""
    if not ends_or_reduces(line):
        return 0
    catalog_weeks = max(
        (h.varsel_uger or 0 for s in _services(line) for h in s.hjemler.all()), default=0
    )
    law_weeks = LAW_NOTICE_WEEKS if line_paragraphs(line) & NOTICE_PARAGRAPHS else 0
    return max(catalog_weeks, law_weeks)
