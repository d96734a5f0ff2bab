"""The decision letter as the citizen reads it (issue 20): a service's name inside a sentence in
small letters, the purpose written to "du", no page holding a lone sentence, the greeting and the
signature before the law's text, and the reasons drafted from the sagsvurdering without
overwriting what the caseworker typed. Letters are read back from their PDF with pdftotext."""

import subprocess
from datetime import date
from typing import Any

import pytest
from django.template.loader import render_to_string

from assessment.letters import (
    afgoerelse_letter_texts,
    afgoerelse_preview,
    in_sentence,
    purpose_sentence,
)
from assessment.models import (
    Afgoerelse,
    Kildehenvisning,
    Sagsvurdering,
    TemaOplysning,
    Udredning,
)
from assessment.services.afgoerelse import Resultatlinje, afgoerelse_create, afgoerelse_send
from cases.lifecycle import Fase
from cases.models import Sag
from tests.factories import HenvendelseFactory, TemaFactory, sag_in_phase
from tests.pdf import PDFTOTEXT, pdf_info, pdf_text
from tests.programs import require_program
from vum.accounts.models import User
from vum.catalog.models import Hjemmel, KommunalYdelse, Kommune, Lovhenvisning

pytestmark = pytest.mark.now("2026-06-03 10:00")

APPENDIX = "Bilag: lovtekst"
SERVICE = "Socialpædagogisk støtte efter servicelovens § 85"
HEADINGS = {
    "Resultat",
    "Begrundelse",
    "Særligt om dine synspunkter",
    "Indsatsformål og opfølgning",
    "Egenbetaling",
    "Retsregler og praksis",
    "Klagevejledning",
}
# The sagsvurdering's texts the reasons are drafted from.
ASSESSMENT = (
    "vurdering_af_situation",
    "vurdering_af_stoettebehov",
    "berettigelse_begrundelse",
    "borgerens_behov_vurderet",
)
# The contact line, the greeting, the name and the team (the caseworker has no title).
CLOSING_LINES = 4


@pytest.fixture
def ydelse(db: None, settings) -> KommunalYdelse:  # type: ignore[no-untyped-def]
    """The municipality's catalog, cut to the one service decided on: its legal basis gives the
    letter its rules and the law's text (loading the whole catalog takes long)."""
    settings.VUM_MUNICIPALITY = "viborg"
    kommune = Kommune.objects.create(slug="viborg", navn="Viborg Kommune")
    row = {"kommune": kommune, "version": "test", "gyldig_fra": date(2020, 1, 1)}
    lov = Lovhenvisning.objects.create(
        slug="sel-85",
        navn="Servicelovens § 85",
        lov="Lov om social service",
        forkortelse="servicelovens",
        nummer="lovbekendtgørelse nr. 798",
        dato=date(2019, 8, 7),
        paragraf="85",
        lovtekst=(
            "§ 85. Kommunalbestyrelsen skal tilbyde hjælp, omsorg eller støtte samt optræning og "
            "hjælp til udvikling af færdigheder til personer, der har behov herfor på grund af "
            "betydelig nedsat fysisk eller psykisk funktionsevne eller særlige sociale problemer."
        ),
        **row,
    )
    hjemmel = Hjemmel.objects.create(
        slug="sel-85", navn="Servicelovens § 85", lovhenvisning=lov, klageadgang=True, **row
    )
    ydelse = KommunalYdelse.objects.create(
        slug="v-85", navn="Socialpædagogisk støtte", kode="V-85", **row
    )
    ydelse.hjemler.add(hjemmel)
    return ydelse


@pytest.fixture
def sag(caseworker: User) -> Sag:
    sag = sag_in_phase(Fase.AFGOERELSE, team=caseworker.teams.get(), sagsbehandler=caseworker)
    HenvendelseFactory(
        borger=sag.borger,
        aarsag="Ansøgning om støtte i eget hjem",
        team=sag.team,
        sag=sag,
        modtaget=date(2026, 4, 23),
        registreret_af=caseworker,
    )
    return sag


def assess(sag: Sag, **fields: str) -> Sagsvurdering:
    """The case's sagsvurdering, made from an udredning with the citizen's own account and one
    source from others."""
    udredning = Udredning.objects.create(sag=sag, oprettet_af=sag.sagsbehandler)
    tema = TemaOplysning.objects.create(
        udredning=udredning,
        tema=TemaFactory(),
        fra_borgeren="Jeg vil gerne klare mine indkøb selv.",
        fra_andre="Bostøtten fortæller, at Mads glemmer sine aftaler.",
    )
    Kildehenvisning.objects.create(
        tema_oplysning=tema, titel="Statusnotat fra bostøtten", dato=date(2026, 3, 12)
    )
    defaults = {
        "vurdering_af_situation": "Du har svært ved at overskue din økonomi og dine indkøb.",
        "vurdering_af_stoettebehov": "Du har brug for støtte to gange om ugen.",
        "berettigelse_begrundelse": "Din funktionsevne er nedsat, så du har behov for støtten.",
        "borgerens_behov_vurderet": "Du ønsker hjælp hver dag; vi vurderer, at to gange rækker.",
        "indsatsformaal": "at du kan klare dine indkøb selv",
    }
    return Sagsvurdering.objects.create(
        sag=sag, udredning=udredning, oprettet_af=sag.sagsbehandler, **{**defaults, **fields}
    )


def decide(caseworker: User, sag: Sag, ydelse: KommunalYdelse, **fields: Any) -> Afgoerelse:
    """A grant in full of the service as the catalog names it (capitalised)."""
    return afgoerelse_create(
        actor=caseworker,
        sag=sag,
        truffet_af=Afgoerelse.TruffetAf.SAGSBEHANDLER,
        form=Afgoerelse.Form.SKRIFTLIG,
        fuldt_medhold=True,
        truffet=date(2026, 5, 29),
        resultater=[
            Resultatlinje(
                beskrivelse=SERVICE,
                resultat="bevilget",
                omfang="6 timer om ugen",
                virkningsdato=date(2026, 8, 1),
                kommunal_ydelse=ydelse,
            )
        ],
        **fields,
    )


def pages(pdf: bytes) -> list[list[str]]:
    """The PDF's pages (pdftotext ends each with a form feed), each as its lines of text, the
    page number in the footer left out."""
    require_program(PDFTOTEXT, install="poppler-utils")
    text = subprocess.run(  # noqa: S603 (a fixed program and arguments)
        [PDFTOTEXT, "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return [
        [line.strip() for line in page.splitlines() if line.strip() and "Side " not in line]
        for page in text.split("\f")
        if page.strip()
    ]


# A service's name inside a sentence


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Socialpædagogisk støtte", "socialpædagogisk støtte"),
        ("Støtte efter § 85", "støtte efter § 85"),
        ("socialpædagogisk støtte", "socialpædagogisk støtte"),
        ("§ 85-støtte", "§ 85-støtte"),
        ("BPA-ordning", "BPA-ordning"),
        ("A", "A"),
        ("", ""),
    ],
)
def test_a_service_name_is_lowered_inside_a_sentence_but_not_an_acronym(
    name: str, expected: str
) -> None:
    assert in_sentence(name) == expected


def test_the_heading_and_the_result_name_the_service_in_small_letters(
    caseworker, sag, ydelse
) -> None:
    assess(sag)
    afgoerelse = decide(caseworker, sag, ydelse)
    texts = afgoerelse_letter_texts(afgoerelse=afgoerelse)
    assert texts["overskrift"] == (
        "Afgørelse om socialpædagogisk støtte efter servicelovens § 85, din henvendelse "
        "modtaget 23.04.2026"
    )
    text = pdf_text(afgoerelse_preview(actor=caseworker, afgoerelse=afgoerelse, tekster={}))
    letter = text[: text.index(APPENDIX)]
    assert "Afgørelse om socialpædagogisk støtte efter servicelovens § 85" in letter
    assert (
        "Du får socialpædagogisk støtte efter servicelovens § 85, 6 timer om ugen, fra den "
        "1. august 2026." in letter
    )
    assert "Socialpædagogisk" not in letter


# The purpose, written to "du"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("at du kan klare dine indkøb selv", "at du kan klare dine indkøb selv."),
        ("At du kan klare dine indkøb selv.", "at du kan klare dine indkøb selv."),
        ("du kan klare dine indkøb selv.", "at du kan klare dine indkøb selv."),
        ("Du kan klare dine indkøb selv", "at du kan klare dine indkøb selv."),
        ("Du skal lære at lave mad", "at du skal lære at lave mad."),
        ("  at Du kan bo i egen bolig.  ", "at du kan bo i egen bolig."),
        ("Mads kan handle selv", "at Mads kan handle selv."),
        ("Dusøren bliver udbetalt", "at Dusøren bliver udbetalt."),
    ],
)
def test_the_purpose_is_one_sentence_to_du(typed: str, expected: str) -> None:
    assert purpose_sentence(typed) == f"Formålet med indsatsen er, {expected}"


@pytest.mark.parametrize("typed", ["", "  ", "at "])
def test_no_purpose_gives_no_sentence(typed: str) -> None:
    assert purpose_sentence(typed) == ""


def test_the_letter_states_the_purpose_to_du(caseworker, sag, ydelse) -> None:
    assess(sag, indsatsformaal="Du skal lære at handle ind selv.")
    afgoerelse = decide(caseworker, sag, ydelse)
    text = pdf_text(afgoerelse_preview(actor=caseworker, afgoerelse=afgoerelse, tekster={}))
    assert "Formålet med indsatsen er, at du skal lære at handle ind selv. " in text
    edited = pdf_text(
        afgoerelse_preview(
            actor=caseworker,
            afgoerelse=afgoerelse,
            tekster={"indsatsformaal": "at du kan bo i egen bolig."},
        )
    )
    assert "Formålet med indsatsen er, at du kan bo i egen bolig. " in edited


def test_the_letter_is_a_tagged_pdf(caseworker, sag, ydelse) -> None:
    """Its headings, paragraphs and tables are marked as such, so that a screen reader can
    follow them (the accessibility statement, WCAG 1.3.1)."""
    assess(sag)
    pdf = afgoerelse_preview(
        actor=caseworker, afgoerelse=decide(caseworker, sag, ydelse), tekster={}
    )
    assert pdf_info(pdf)["Tagged"] == "yes"


# The closing and the pages


def test_the_greeting_and_signature_come_before_the_law_text(caseworker, sag, ydelse) -> None:
    assess(sag)
    brev = afgoerelse_send(actor=caseworker, afgoerelse=decide(caseworker, sag, ydelse), tekster={})
    text = pdf_text(bytes(brev.pdf))
    greeting = text.index("Med venlig hilsen")
    assert text.count("Med venlig hilsen") == 1
    assert text.count(APPENDIX) == 1
    assert text.index("Du er velkommen til at kontakte mig") < greeting
    # The name is in the letterhead too; the signature's comes after the greeting.
    assert greeting < text.index(caseworker.get_full_name(), greeting) < text.index(APPENDIX)


@pytest.mark.parametrize("template", ["partshoering", "indstilling", "bestilling", "handleplan"])
def test_every_other_letter_is_signed_once(template: str) -> None:
    html = render_to_string(f"letters/{template}.html", {"sagsbehandler": {"navn": "Ida Holm"}})
    assert html.count("Med venlig hilsen") == 1


def test_no_page_of_the_letter_holds_a_lone_sentence(caseworker, sag, ydelse) -> None:
    """The reasons grow a line at a time, so that the page break falls on each line of the
    letter's last sections and closing in turn. Each page before the law's text keeps two lines
    or more, no page ends with a heading, and the closing (contact line, greeting, name) stays
    on one page with more of the letter than itself."""
    assess(sag, **dict.fromkeys(ASSESSMENT, ""))
    afgoerelse = decide(caseworker, sag, ydelse)
    name = caseworker.get_full_name()
    sentence = "Vi har lagt vægt på dine egne oplysninger og på statusnotatet fra bostøtten i år. "
    for extra in range(12):
        pdf = afgoerelse_preview(
            actor=caseworker,
            afgoerelse=afgoerelse,
            tekster={"begrundelse_vurdering": sentence * extra},
        )
        letter = pages(pdf)
        appendix = next(i for i, page in enumerate(letter) if page[0] == APPENDIX)
        assert appendix >= 1
        for number, page in enumerate(letter[:appendix], start=1):
            assert len(page) >= 2, f"{extra} sentences: page {number} holds only {page}"
            assert page[-1] not in HEADINGS, f"{extra} sentences: page {number} ends a heading"
        closing = [
            i
            for i, page in enumerate(letter)
            for line in page
            if line.startswith(("Du er velkommen til at kontakte mig", "Med venlig hilsen", name))
        ]
        last = letter[closing[-1]]
        assert closing[-1] == appendix - 1, f"{extra} sentences: signed before the law's text"
        assert set(closing[-3:]) == {closing[-1]}, f"{extra} sentences: the closing is split"
        assert len(last) - CLOSING_LINES >= 2, f"{extra} sentences: the closing is alone"


# The reasons, drafted from the sagsvurdering


def test_the_reasons_are_drafted_from_the_sagsvurdering(caseworker, sag, ydelse) -> None:
    assess(sag)
    afgoerelse = decide(caseworker, sag, ydelse)
    texts = afgoerelse_letter_texts(afgoerelse=afgoerelse)
    assert texts["begrundelse_vurdering"] == (
        "Du har svært ved at overskue din økonomi og dine indkøb.\n\n"
        "Du har brug for støtte to gange om ugen.\n\n"
        "Din funktionsevne er nedsat, så du har behov for støtten."
    )
    assert texts["begrundelse_oplysninger"] == (
        "Statusnotat fra bostøtten af 12.03.2026 og dine egne oplysninger."
    )
    assert texts["saerligt_om_synspunkter"] == (
        "Du ønsker hjælp hver dag; vi vurderer, at to gange rækker."
    )
    brev = afgoerelse_send(actor=caseworker, afgoerelse=afgoerelse, tekster={})
    text = pdf_text(bytes(brev.pdf))
    assert (
        "Begrundelse Du har svært ved at overskue din økonomi og dine indkøb. Du har brug for "
        "støtte to gange om ugen. Din funktionsevne er nedsat, så du har behov for støtten. "
        "Vi har lagt vægt på: Statusnotat fra bostøtten af 12.03.2026 og dine egne oplysninger. "
        "Særligt om dine synspunkter Du ønsker hjælp hver dag; vi vurderer, at to gange rækker."
    ) in text
    assert brev.indhold["begrundelse_vurdering"] == texts["begrundelse_vurdering"]


def test_what_the_caseworker_typed_is_kept(caseworker, sag, ydelse) -> None:
    assess(sag)
    afgoerelse = decide(
        caseworker,
        sag,
        ydelse,
        begrundelse_vurdering="Vi vurderer, at støtte to gange om ugen dækker dit behov.",
        saerligt_om_synspunkter="Du har sagt, at du gerne vil have støtte hver dag.",
    )
    texts = afgoerelse_letter_texts(afgoerelse=afgoerelse)
    assert texts["begrundelse_vurdering"] == (
        "Vi vurderer, at støtte to gange om ugen dækker dit behov."
    )
    assert texts["saerligt_om_synspunkter"] == (
        "Du har sagt, at du gerne vil have støtte hver dag."
    )
    # What was left empty is still drafted.
    assert texts["begrundelse_oplysninger"] == (
        "Statusnotat fra bostøtten af 12.03.2026 og dine egne oplysninger."
    )
    # A draft the caseworker empties in the letter stays empty.
    text = pdf_text(
        afgoerelse_preview(
            actor=caseworker, afgoerelse=afgoerelse, tekster={"begrundelse_oplysninger": ""}
        )
    )
    assert "Vi vurderer, at støtte to gange om ugen dækker dit behov." in text
    assert "Vi har lagt vægt på" not in text
    assert "Du har svært ved at overskue" not in text


def test_a_decision_answering_no_application_gets_no_drafted_reasons(
    caseworker, sag, ydelse
) -> None:
    """A decision replacing an earlier one (after a complaint) does not rest on the reasons the
    sagsvurdering gave for the first."""
    assess(sag)
    first = decide(caseworker, sag, ydelse)
    replacing = decide(caseworker, sag, ydelse, erstatter=first)
    texts = afgoerelse_letter_texts(afgoerelse=replacing)
    assert texts["begrundelse_vurdering"] == ""
    assert texts["begrundelse_oplysninger"] == ""
    assert texts["saerligt_om_synspunkter"] == ""
    assert texts["overskrift"] == ("Afgørelse om socialpædagogisk støtte efter servicelovens § 85")
