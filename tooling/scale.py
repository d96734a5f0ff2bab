"""Synthetic data at scale, for benchmarks: what `manage.py seed_scale --borgere N` creates.

The rows are generated in Python from one seeded random generator and written with PostgreSQL's
COPY (psycopg 3 `cursor.copy()`), 2,000 citizens at a time, in one transaction: a run creates
everything or nothing. Primary keys are reserved from each table's sequence in blocks, so rows can
point at each other before they are written. The foreign keys are checked by the database: row by
row as each COPY ends or, when the database user is a superuser, once at the end with one
set-based query per key (the row-by-row triggers are switched off meanwhile with
`session_replication_role`, as pg_restore does; that is three times faster). Nothing goes
through the services: the phase state machine, the guards and the audit helpers are bypassed,
and the rows are written as the services would have left them (a case's `fase` is set directly,
its history is in `Overgang`, its writes have their `AuditEvent`). Append-only tables only get
INSERTs. The same `--seed` gives the same data on the same day (dates count back from today).

Proportions (choices that resemble a Danish municipality's adult disability and psychiatry area,
not statistics):

- Organisation: one team per 5,000 citizens (at least 4), each with one caseworker per 60 open
  cases (at least 2 a team); one leader per 4 teams and a head of department over all teams;
  three members of one visitationsudvalg; one provider organisation per 400 citizens (at least 2),
  each offering one kind of service, with 3-8 staff.
- Citizens: ages 18-90 (most 20-60), unique synthetic CPR numbers (see `is_synthetic_cpr`); 40 %
  have a relative, 6 % a guardian (værge, who holds the citizen's rights), 10 % a bisidder;
  0.3 extra enquiries per citizen that opened no case (advice or referral).
- Cases: 1-6 per citizen, 2.5 on average (1: 30 %, 2: 25 %, 3: 20 %, 4: 13 %, 5: 8 %, 6: 4 %).
  A citizen's last case is open for half of the citizens, so about 20 % of the cases are open.
  Open cases by phase: sagsåbning 8 %, sagsoplysning 12 %, sagsvurdering 8 %, afgørelse 5 %,
  bestilling 5 %, levering 52 %, opfølgning 10 %. Closed cases ended in sagsåbning (6 %, advice
  was enough), sagsoplysning (6 %, withdrawn), after a refusal (14 %) or at a follow-up after
  delivery (74 %). Closed cases lie in the last eight years.
- What is applied for: the deployment municipality's services (`PROFILES`; Randers or Viborg), §
  85 about half of the cases; application type ny 75 %, ændring 20 %, ændring med nye
  oplysninger 5 %. The processing deadline comes from the catalog's rule; 87 % of the decisions
  are made within it.
- Sagsoplysning: 2-4 informed themes, 4-7 scored Aktivitet og deltagelse sub-themes (levels 0-4,
  mostly 1-3). Sagsvurdering: 1-3 goals (måltype Udvikle 55 %, Fastholde 30 %, Begrænse tab
  15 %) on scored sub-themes, one indsats (15 %: a second one with another provider) with 1-2
  price lines at realistic rates, one primary target group.
- Decisions: made by the caseworker (85 %), a leader (5 %) or the visitationsudvalg (10 %, and
  always for a botilbud); granted 90 % / partly refused 10 % unless the case was refused.
  Complaints on 25 % of refusals and partial refusals and 2 % of grants; the municipality holds
  on to 75 % of its decisions, which then go to Ankestyrelsen.
- Bestilling: one per provider of the granted indsatser (4 %: first refused by another
  provider). Levering: 1-3 delmål per ordered goal, a delmålsnotat on each active delmål about
  every two months, a few other notes, rare magtanvendelse at botilbud.
- Follow-ups: the first after the service's first interval (3 or 4 months), then every 6 or 12
  months; held ones have their deadlines met (90 %), the provider's statusnotat, the completed
  form with new levels (also recorded as dated scores, so progression can be computed),
  støttebehov before and after, and a journal note. Each case in levering has one planned.
- Audit events: one for every write above (phase changes, notes, decisions, orders, delmål,
  follow-ups, ...) and the caseworker's last "Sag vist" of each case.

At 10,000 citizens that is 25,500 cases, 175,000 delmålsnotater, 62,000 journal notes, 585,000
audit events and 2.4 million rows in all (590 MB), written in about 35 s on a 2-core machine. It
grows linearly: at 200,000 citizens about 510,000 cases, 3.5 million delmålsnotater, 1.2
million journal notes and 0.25 million other notes (5 million notes), 11.7 million audit events
and 48 million rows (12 GB), measured in 752 s (about twice that without superuser rights).
"""

import json
import random
import time
from bisect import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.utils import timezone

from assessment.models import (
    Afgoerelse,
    AfgoerelsesResultat,
    Dagsordenspunkt,
    Funktionsevnevurdering,
    Indsats,
    Indsatsmaal,
    Indstilling,
    Klage,
    Prislinje,
    Sagsvurdering,
    TemaOplysning,
    Udredning,
    Udvalgsmoede,
    Visitationsudvalg,
    VurderingMaalgruppe,
)
from cases.lifecycle import Fase
from cases.models import (
    Borger,
    Diagnose,
    Formaal,
    Henvendelse,
    Journalnotat,
    Overgang,
    Relation,
    Sag,
    Sagsaabning,
)
from followup.models import (
    Opfoelgning,
    Opfoelgningsskema,
    SkemaMaal,
    Statusnotat,
    StatusnotatMaal,
)
from orders.models import Bestilling, Delmaal, Delmaalsnotat, Leveringsnotat, Magtanvendelse
from vum import calendar
from vum.accounts.models import Organisation, Role, Team, User
from vum.audit.models import AuditEvent
from vum.catalog.models import (
    Fremadrettet,
    Funktionsevneniveau,
    KommunalYdelse,
    Maalgruppe,
    Maaltype,
    StatusPaaIndsats,
    Stoettebehov,
    Tema,
    Tilbudstype,
    Undertema,
    Visitationsudfald,
    Ydelse,
)
from vum.catalog.selectors import current_kommune, kommunale_ydelser
from vum.deadlines.models import Frist

# The password of every synthetic user (printed by the command). Scratch databases only.
SCALE_PASSWORD = "vum-skala-2026"  # noqa: S105
USERNAME_PREFIX = "skala-"
USER_AGENT = "manage.py seed_scale"
CHUNK_CITIZENS = 2000
ID_BLOCK = 20000
HISTORY_DAYS = 8 * 365

CASES_PER_CITIZEN = {1: 30, 2: 25, 3: 20, 4: 13, 5: 8, 6: 4}
LAST_CASE_OPEN = 0.5
OPEN_PHASES = {
    Fase.SAGSAABNING: 8,
    Fase.SAGSOPLYSNING: 12,
    Fase.SAGSVURDERING: 8,
    Fase.AFGOERELSE: 5,
    Fase.BESTILLING: 5,
    Fase.LEVERING: 52,
    Fase.OPFOELGNING: 10,
}
CLOSED_ROUTES = {"sagsaabning": 6, "sagsoplysning": 6, "afslag": 14, "levering": 74}
OPEN_CASES_PER_CASEWORKER = 60
CITIZENS_PER_TEAM = 5000
CITIZENS_PER_PROVIDER = 400
DECIDED_IN_TIME = 0.87
NOTE_EVERY_DAYS = 65
LEVELS = {0: 10, 1: 25, 2: 35, 3: 22, 4: 8}
MAALTYPER = {"Udvikle funktionsevne": 55, "Fastholde funktionsevne": 30}
MAALTYPE_BEGRAENSE = "Begrænse tab af funktionsevne"
# How a goal's level moves at a follow-up, by måltype (a lower level is better functioning).
PROGRESSION = {
    "Udvikle funktionsevne": {-1: 35, 0: 55, 1: 10},
    "Fastholde funktionsevne": {-1: 10, 0: 75, 1: 15},
    MAALTYPE_BEGRAENSE: {0: 60, 1: 40},
}

# Synthetic CPR numbers: born 1926-1999 with seventh digit 0 (the 1900s), or born 2000-2049 with
# seventh digit 5 (the 2000s), so an 18-year-old is synthetic until 2067. The test factories
# (born 1950-1999) and the demo citizens never fall in it.
SYNTHETIC_CPR_REGEX = r"^[0-9]{4}([0-9]{2}0|[0-4][0-9]5)"


def is_synthetic_cpr(cpr: str) -> bool:
    return cpr[6] == "0" or (cpr[6] == "5" and cpr[4] in "01234")


def synthetic_citizens() -> "models.QuerySet[Borger]":
    return Borger.objects.filter(cpr__regex=SYNTHETIC_CPR_REGEX)


# What each municipality's services look like in a case: (catalog code, weight, FFB ydelser,
# tilbudstype, price line (unit, frequency, amount range, repetitions, unit price range), first
# follow-up and interval in months, the kind of provider, botilbud).
@dataclass(frozen=True)
class Profile:
    kode: str
    weight: int
    ffb: tuple[str, ...]
    tilbud: str
    enhed: str
    frekvens: str
    antal: tuple[int, int]
    gentagelser: int
    pris: tuple[int, int]
    foerste: int
    interval: int
    kind: str
    botilbud: bool = False
    fast_slut: bool = False


# fmt: off
SECTION_85 = (
    "Støtte til daglige opgaver i hjemmet", "Støtte til administration",
    "Støtte til samfundsdeltagelse", "Støtte til sociale relationer", "Støtte til sundhed",
    "Støtte til uddannelse",
)
PROFILES: dict[str, list[Profile]] = {
    "randers": [
        Profile("R-85", 45, SECTION_85, "Mobilt tilbud", "time", "uge", (2, 8), 26, (470, 560),
                3, 6, "85"),
        Profile("R-85-LED", 5, ("Støtte til transport", "Støtte til samfundsdeltagelse"),
                "Mobilt tilbud", "time", "maaned", (2, 8), 12, (450, 520), 3, 6, "85"),
        Profile("R-82B", 9, ("Individuel tidsbegrænset socialpædagogisk hjælp og støtte",),
                "Ambulant tilbud til voksne", "time", "uge", (1, 3), 16, (450, 520), 3, 6, "82",
                fast_slut=True),
        Profile("R-82A", 5, ("Gruppebaseret hjælp og støtte",), "Ambulant tilbud til voksne",
                "styk", "uge", (1, 1), 12, (350, 450), 3, 6, "82", fast_slut=True),
        Profile("R-BO", 8, ("Midlertidigt ophold",), "Midlertidigt botilbud", "dag", "dag",
                (1, 1), 365, (1900, 3400), 3, 12, "bo", botilbud=True),
        Profile("R-AOS", 9, ("Social aktivitet", "Kreativ aktivitet"),
                "Aktivitets- og samværstilbud", "dag", "uge", (2, 5), 52, (380, 650), 3, 12,
                "104"),
        Profile("R-BB", 7, ("Beskyttet beskæftigelse",), "Beskyttet beskæftigelsestilbud",
                "dag", "uge", (3, 5), 52, (450, 800), 3, 12, "103"),
        Profile("R-STOF", 7, ("Social stofmisbrugsbehandling",), "Ambulant behandlingstilbud",
                "time", "uge", (1, 3), 26, (600, 800), 3, 6, "101"),
        Profile("R-AFL", 3, ("Døgnaflastning",), "Midlertidigt botilbud", "dag", "maaned",
                (2, 6), 12, (1800, 2600), 3, 12, "bo"),
        Profile("R-LED", 2, ("Ledsageordning",), "Mobilt tilbud", "time", "maaned", (10, 15),
                12, (150, 200), 3, 12, "85"),
    ],
    "viborg": [
        Profile("V-85", 45, SECTION_85, "Mobilt tilbud", "time", "uge", (2, 8), 26, (470, 560),
                3, 6, "85"),
        Profile("V-82B", 8, ("Individuel tidsbegrænset socialpædagogisk hjælp og støtte",),
                "Ambulant tilbud til voksne", "time", "uge", (1, 3), 16, (450, 520), 3, 6, "82",
                fast_slut=True),
        Profile("V-82A", 4, ("Gruppebaseret hjælp og støtte",), "Ambulant tilbud til voksne",
                "styk", "uge", (1, 1), 12, (350, 450), 3, 6, "82", fast_slut=True),
        Profile("V-107", 6, ("Midlertidigt ophold",), "Midlertidigt botilbud", "dag", "dag",
                (1, 1), 365, (1900, 3400), 4, 12, "bo", botilbud=True),
        Profile("V-108", 5, ("Længerevarende ophold",), "Længerevarende botilbud", "dag", "dag",
                (1, 1), 365, (2400, 4200), 4, 12, "bo", botilbud=True),
        Profile("V-103", 6, ("Beskyttet beskæftigelse",), "Beskyttet beskæftigelsestilbud",
                "dag", "uge", (3, 5), 52, (450, 800), 3, 12, "103"),
        Profile("V-104-AKT", 7, ("Social aktivitet", "Kreativ aktivitet"),
                "Aktivitets- og samværstilbud", "dag", "uge", (2, 5), 52, (380, 650), 3, 12,
                "104"),
        Profile("V-101", 6, ("Social stofmisbrugsbehandling",), "Ambulant behandlingstilbud",
                "time", "uge", (1, 3), 26, (600, 800), 3, 6, "101"),
        Profile("V-97", 3, ("Ledsageordning",), "Mobilt tilbud", "time", "maaned", (10, 15),
                12, (150, 200), 3, 12, "85"),
        Profile("V-83", 4, ("Personlig hjælp og pleje", "Praktisk hjælp"), "Mobilt tilbud",
                "time", "uge", (2, 6), 52, (380, 450), 3, 12, "85"),
        Profile("V-84-AFLA", 2, ("Døgnaflastning",), "Midlertidigt botilbud", "dag", "maaned",
                (2, 6), 12, (1800, 2600), 3, 12, "bo"),
    ],
}

TEAM_KINDS = [
    ("Handicap", "handicap"), ("Socialpsykiatri", "socialpsykiatri"),
    ("Hjerneskade og autisme", "hjerneskade"), ("Misbrug og udsatte", "misbrug"),
]
DISTRICTS = ["Nord", "Syd", "Øst", "Vest", "Midt", "By", "Land", "Fjord", "Å", "Skov"]
PROVIDER_NAMES = {
    "85": ["Bostøtten", "Mestringsteamet", "Støttekontaktteamet", "Bo- og støttecentret"],
    "82": ["Forebyggelsesteamet", "Tidlig Indsats", "Gruppeforløbene"],
    "bo": ["Botilbuddet", "Bocentret", "Opholdsstedet"],
    "104": ["Aktivitetshuset", "Værestedet", "Samværscentret"],
    "103": ["Værkstedet", "Beskyttet Beskæftigelse", "Produktionshuset"],
    "101": ["Rusmiddelcentret", "Misbrugscentret"],
}
PLACES = [
    "Engparken", "Solsikken", "Bakkehuset", "Lindely", "Skovbrynet", "Åparken", "Fjordglimt",
    "Kastanjehuset", "Egely", "Vænget", "Nørrebo", "Sønderbo", "Møllehuset", "Toften", "Kilden",
    "Højvang", "Lærkereden", "Havglimt", "Birkely", "Rosenhaven",
]
FEMALE = [
    "Anne", "Kirsten", "Mette", "Hanne", "Helle", "Anna", "Susanne", "Lene", "Maria", "Marianne",
    "Lone", "Camilla", "Pia", "Louise", "Charlotte", "Tina", "Gitte", "Bente", "Ida", "Emma",
    "Sofie", "Julie", "Laura", "Freja", "Clara", "Karen", "Inge", "Birgit", "Signe", "Sara",
    "Cecilie", "Line", "Nanna", "Maja", "Josefine", "Mathilde",
]
MALE = [
    "Peter", "Jens", "Lars", "Michael", "Henrik", "Thomas", "Søren", "Jan", "Niels", "Christian",
    "Martin", "Anders", "Morten", "Jesper", "Mads", "Rasmus", "Per", "Hans", "Mikkel", "Kim",
    "Jørgen", "Ole", "Frederik", "Emil", "Oliver", "Lucas", "William", "Noah", "Victor",
    "Magnus", "Jonas", "Simon", "Kasper", "Tobias", "Liam", "Oskar",
]
SURNAMES = [
    "Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
    "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen",
    "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen", "Knudsen", "Jakobsen",
    "Mikkelsen", "Olesen", "Frederiksen", "Laursen", "Henriksen", "Lund", "Holm", "Schmidt",
    "Eriksen", "Kristiansen", "Nissen", "Clausen", "Simonsen", "Svendsen", "Andreasen",
    "Iversen", "Østergaard", "Jeppesen", "Vestergaard", "Jacobsen", "Dahl", "Bak", "Skov",
    "Krogh", "Friis", "Holt",
]
STREETS = [
    "Vestergade", "Østergade", "Nørregade", "Søndergade", "Storegade", "Skovvej", "Engvej",
    "Parkvej", "Kirkevej", "Møllevej", "Stationsvej", "Bakkevej", "Birkevej", "Egevej",
    "Lindevej", "Rosenvej", "Havnegade", "Jernbanegade", "Toldbodgade", "Fabriksvej", "Solvej",
    "Grenåvej", "Viborgvej", "Århusvej", "Mariagervej", "Hadsundvej", "Gl. Kirkevej",
]
POSTCODES = {
    "randers": [
        ("8900", "Randers C", 40), ("8920", "Randers NV", 15), ("8930", "Randers NØ", 12),
        ("8940", "Randers SV", 12), ("8960", "Randers SØ", 10), ("8870", "Langå", 5),
        ("8950", "Ørsted", 3), ("8981", "Spentrup", 3),
    ],
    "viborg": [
        ("8800", "Viborg", 60), ("8850", "Bjerringbro", 12), ("8830", "Tjele", 6),
        ("8840", "Rødkærsbro", 5), ("7470", "Karup J", 6), ("8832", "Skals", 5),
        ("7850", "Stoholm Jyll", 6),
    ],
}
RELATIVES = [
    ("mor", "F"), ("far", "M"), ("søster", "F"), ("bror", "M"), ("datter", "F"), ("søn", "M"),
    ("ægtefælle", "X"),
]
KILDER = {
    Henvendelse.Kilde.BORGER: 35, Henvendelse.Kilde.PAAROERENDE: 20,
    Henvendelse.Kilde.LAEGE: 10, Henvendelse.Kilde.HOSPITAL: 8,
    Henvendelse.Kilde.ANDEN_FORVALTNING: 12, Henvendelse.Kilde.IGANGVAERENDE_INDSATS: 8,
    Henvendelse.Kilde.ANDRE: 7,
}
ENQUIRIES = [
    "Borgeren ønsker støtte til at klare hverdagen i egen bolig.",
    "Pårørende er bekymrede for, at borgeren ikke får spist og ikke passer sin medicin.",
    "Egen læge henviser efter længere tids psykisk mistrivsel og isolation.",
    "Udskrivning fra psykiatrisk afdeling; borgeren har brug for støtte efter indlæggelsen.",
    "Jobcentret henvender sig om en borger, der har svært ved at fastholde et forløb.",
    "Borgeren har svært ved at overskue økonomi, post og aftaler.",
    "Borgeren ønsker et tilbud om beskæftigelse og et fællesskab i dagtimerne.",
    "Borgeren bor alene, har mistet sit netværk og ønsker hjælp til at komme ud.",
    "Borgeren har et dagligt forbrug af hash og ønsker hjælp til at stoppe.",
    "Borgeren kan ikke længere bo i egen bolig uden omfattende støtte.",
]
ADVICE = [
    ("raadgivning", "Borgeren er vejledt om muligheder i civilsamfundet; ingen ansøgning.", ""),
    ("raadgivning", "Rådgivning om økonomi og boligstøtte; borgeren søger ikke.", ""),
    ("henvist", "Henvist til regionens psykiatri, der har ansvaret for behandlingen.",
     "Regionspsykiatrien"),
    ("henvist", "Henvist til jobcentret; henvendelsen angår beskæftigelse.", "Jobcentret"),
]
WISHES = [
    "Jeg vil gerne klare mig selv og have min egen lejlighed.",
    "Jeg vil gerne have et arbejde og nogle at være sammen med.",
    "Jeg vil have styr på min økonomi og mine regninger.",
    "Jeg vil gerne kunne handle og lave mad selv.",
    "Jeg vil gerne have det bedre og komme mere ud.",
    "Jeg vil gerne stoppe med at ryge hash.",
]
DIAGNOSES = [
    ("Paranoid skizofreni", "F 20.0"), ("Depression", "F 32.9"), ("Angsttilstand", "F 41.9"),
    ("Infantil autisme", "F 84.0"), ("Aspergers syndrom", "F 84.5"), ("ADHD", "F 90.0"),
    ("Let mental retardering", "F 70.9"),
    ("Emotionelt ustabil personlighedsstruktur", "F 60.3"), ("Følger af hjerneskade", "T 90.5"),
    ("Bipolar affektiv sindslidelse", "F 31.9"), ("Cerebral parese", "G 80.9"),
]
DIAGNOSED_BY = [
    "Egen læge", "Psykiatrisk afdeling", "Speciallæge i psykiatri",
    "Børne- og ungdomspsykiatrien", "Neurologisk afdeling",
]
THEME_TEXT = [
    ("Jeg har svært ved at komme i gang om morgenen.",
     "Bostøtten oplyser, at borgeren ofte ikke åbner døren.",
     "Borgeren fortæller selv om udfordringerne og har gode ideer til, hvad der kan hjælpe."),
    ("Jeg glemmer tit mine aftaler.",
     "Egen læge beskriver udeblivelser fra konsultationer.",
     "Borgeren har brug for struktur og påmindelser."),
    ("Jeg kan godt lave mad, når jeg har handlet.",
     "Pårørende oplyser, at køleskabet ofte er tomt.",
     "Borgeren har ressourcer, når opgaven er overskuelig."),
    ("Jeg har ikke nogen at ringe til.",
     "Tidligere kontaktperson beskriver et begrænset netværk.",
     "Ensomhed fylder og påvirker borgerens trivsel."),
]
GOALS = {
    "Egenomsorg": [
        "Jeg passer selv min medicin", "Jeg går i bad og skifter tøj hver dag",
        "Jeg har en fast døgnrytme",
    ],
    "Praktiske opgaver": [
        "Jeg handler selv ind en gang om ugen", "Jeg laver selv aftensmad",
        "Jeg holder orden i min lejlighed",
    ],
    "Samfundsliv": [
        "Jeg betaler selv mine regninger til tiden", "Jeg passer mit praktikforløb",
        "Jeg åbner og læser min digitale post",
    ],
    "Relationer": [
        "Jeg ser min familie hver anden uge", "Jeg deltager i en fritidsaktivitet",
        "Jeg har en ven, jeg ses med",
    ],
    "Kommunikation": [
        "Jeg siger til, når jeg har brug for hjælp", "Jeg ringer selv til lægen og andre",
    ],
    "Mobilitet": ["Jeg tager selv bussen til mine aftaler", "Jeg går en tur hver dag"],
}
DELMAAL = [
    "Jeg står op kl. 7.30 på hverdage", "Jeg laver en madplan hver søndag",
    "Jeg tjekker min post hver mandag", "Jeg går med i fællesspisning om torsdagen",
    "Jeg tager bussen alene til aktivitetshuset", "Jeg tager min medicin kl. 8 og kl. 20",
    "Jeg støvsuger hver fredag", "Jeg ringer til min søster om søndagen",
    "Jeg handler ind efter en indkøbsliste", "Jeg går en tur på 20 minutter hver dag",
]
NOTES = [
    "Borgeren var klar, da medarbejderen kom, og havde selv lavet morgenmad.",
    "Aftalen blev aflyst af borgeren; ny aftale er lavet til på torsdag.",
    "Vi gennemgik posten sammen; borgeren betalte selv to regninger.",
    "Borgeren tog bussen alene og var stolt af det.",
    "Borgeren var træt og havde ikke sovet; vi talte om døgnrytmen.",
    "Madplanen er lavet, og borgeren handlede selv ind efter listen.",
    "Borgeren deltog i fællesspisningen og snakkede med to andre.",
    "Medicinen var taget til tiden hele ugen.",
    "Borgeren havde glemt aftalen; vi satte en påmindelse i telefonen.",
    "God dag: borgeren har gjort rent og vasket tøj.",
    "Borgeren var urolig og ville ikke tale om delmålet i dag.",
    "Vi øvede at ringe til lægen; borgeren gennemførte selv samtalen.",
]
PROVIDER_NOTES = [
    "Borgeren fortæller, at søsteren har været på besøg i weekenden.",
    "Borgeren har fået ny medicin af lægen og er mere træt.",
    "Samtale om borgerens ønske om at flytte tættere på familien.",
]
FORCE = [
    ("fastholdelse", "Borgeren blev kortvarigt fastholdt for at undgå, at han slog en anden."),
    ("foering", "Borgeren blev ført til sin lejlighed under en konflikt i fællesrummet."),
    ("alarm", "Døralarm aktiveret om natten efter aftale med værgen."),
]
JOURNAL = {
    "aabning": ("Telefonsamtale med borgeren",
                "Borgeren er indforstået med, at sagen påbegyndes, og er orienteret om "
                "elektronisk registrering og retten til bisidder."),
    "oplysning": ("Hjemmebesøg",
                  "Hjemmebesøg hos borgeren. Vi talte om hverdagen og de temaer, borgeren selv "
                  "peger på. Borgeren ønsker, at en pårørende deltager næste gang."),
    "afgoerelse": ("Afgørelse meddelt",
                   "Borgeren er orienteret om afgørelsen og klagevejledningen."),
    "opfoelgning": ("Opfølgning: indsatsen fortsætter",
                    "Borgeren er enig i, at indsatsen fortsætter uændret."),
    "afslut": ("Sagen afsluttes", "Sagen afsluttes. Borgeren er orienteret."),
}
CLOSE_REASONS = {
    "sagsaabning": "Borgeren har fået den rådgivning, der var brug for; ingen ansøgning.",
    "sagsoplysning": "Borgeren har trukket ansøgningen tilbage.",
    "afslag": "Afslag meddelt; klagefristen er udløbet.",
}
TRANSITIONS = {
    "start_sagsoplysning": ("Start sagsoplysning", Fase.SAGSAABNING, Fase.SAGSOPLYSNING),
    "start_sagsvurdering": ("Start sagsvurdering", Fase.SAGSOPLYSNING, Fase.SAGSVURDERING),
    "start_afgoerelse": ("Gå til afgørelse", Fase.SAGSVURDERING, Fase.AFGOERELSE),
    "start_bestilling": ("Gå til bestilling", Fase.AFGOERELSE, Fase.BESTILLING),
    "start_levering": ("Start levering", Fase.BESTILLING, Fase.LEVERING),
    "start_opfoelgning": ("Start opfølgning", Fase.LEVERING, Fase.OPFOELGNING),
    "fortsaet_levering": ("Fortsæt indsatsen", Fase.OPFOELGNING, Fase.LEVERING),
}
PHASE_ORDER: list[str] = [
    Fase.SAGSAABNING, Fase.SAGSOPLYSNING, Fase.SAGSVURDERING, Fase.AFGOERELSE,
    Fase.BESTILLING, Fase.LEVERING, Fase.OPFOELGNING,
]
INTERVAL_LABELS = {"3_maaneder": "3 måneder", "6_maaneder": "6 måneder"}
ENHED_LABELS = {"time": "Time", "dag": "Dag", "styk": "Styk", "maaned": "Måned"}
FREKVENS_LABELS = {"uge": "Uge", "dag": "Dag", "maaned": "Måned"}
# fmt: on

T = TypeVar("T")


class Weighted(Generic[T]):
    """A weighted choice, drawn with one random number."""

    def __init__(self, weights: dict[T, int] | Sequence[tuple[T, int]]) -> None:
        items = list(weights.items()) if isinstance(weights, dict) else list(weights)
        self.values = [value for value, _ in items]
        self.cum = list(accumulate(weight for _, weight in items))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> T:
        return self.values[bisect(self.cum, rng.random() * self.total)]


class Table:
    """The rows of one table for the current chunk, written with COPY.

    `fields` are the model fields each row gives, in order (a row is a tuple); with `ids` the row
    starts with its primary key, taken from `new_id()`. Every other column gets the field's
    default (or NULL, or '' for blank text), so the table must not have a required field that
    neither the rows nor a default fill.
    """

    def __init__(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        *,
        reserve: Callable[[str, int], int],
        ids: bool = False,
    ) -> None:
        meta = model._meta
        self.label = meta.label
        self.name = meta.db_table
        concrete = list(meta.concrete_fields)
        by_name: dict[str, Any] = {f.name: f for f in concrete}
        given = [by_name[name] for name in fields]
        if ids:
            given.insert(0, meta.pk)
        tail_fields = [f for f in concrete if f not in given and not f.primary_key]
        tail: list[Any] = []
        for f in tail_fields:
            if f.has_default():
                value = f.get_default()
            elif f.null:
                value = None
            elif isinstance(f, models.CharField | models.TextField):
                value = ""
            else:
                raise ImproperlyConfigured(f"seed_scale: {meta.label}.{f.name} needs a value.")
            if isinstance(f, models.JSONField):
                value = json.dumps(value)
            elif isinstance(value, str):
                value = str(value)  # a TextChoices member as a plain string
            tail.append(value)
        self.columns = [f.column for f in given + tail_fields]
        self.tail = tuple(tail)
        self.rows: list[tuple[Any, ...]] = []
        self.total = 0
        self._reserve = reserve
        self._next = 0
        self._last = -1

    def new_id(self) -> int:
        if self._next > self._last:
            first = self._reserve(self.name, ID_BLOCK)
            self._next, self._last = first, first + ID_BLOCK - 1
        value = self._next
        self._next += 1
        return value

    def add(self, *row: Any) -> None:
        self.rows.append(row)

    def flush(self, cursor: Any) -> None:
        if not self.rows:
            return
        columns = ", ".join(f'"{c}"' for c in self.columns)
        tail = self.tail
        with cursor.copy(f'COPY "{self.name}" ({columns}) FROM STDIN') as copy:
            write = copy.write_row
            if tail:
                for row in self.rows:
                    write(row + tail)
            else:
                for row in self.rows:
                    write(row)
        self.total += len(self.rows)
        self.rows = []


def m2m(model: type[models.Model], name: str) -> type[models.Model]:
    through = model._meta.get_field(name).remote_field.through  # type: ignore[union-attr]
    assert through is not None
    return through


@dataclass
class Service:
    """A municipal service as the generator uses it."""

    profile: Profile
    ydelse: KommunalYdelse
    ffb: list[Ydelse]
    tilbud: Tilbudstype | None
    laws: str
    rules: dict[str, tuple[int, str]]
    providers: list[int] = field(default_factory=list)


@dataclass
class Citizen:
    id: int
    cpr: str
    fornavn: str
    efternavn: str
    adresse: str
    postnummer: str
    by: str
    telefon: str
    team: Team
    kontakter: list[dict[str, Any]]
    vaerge: str
    bisidder: bool


@dataclass
class Goal:
    id: int
    nr: int
    text: str
    maaltype: str
    maaltype_id: int
    undertema: Undertema
    score_id: int
    level: int
    expected: int
    provider: int
    timer: Decimal | None


@dataclass
class Order:
    provider: int
    indsatser: list[dict[str, Any]]
    indsats_ids: list[int]
    goals: list[Goal]


class Seeder:
    """Generates and writes the data; `run()` does it all in one transaction."""

    def __init__(
        self,
        *,
        borgere: int,
        seed: int,
        log: Callable[[str], None],
        check_at_end: bool | None = None,
    ) -> None:
        """`check_at_end`: check the foreign keys once at the end instead of row by row; by
        default when the database user may (a superuser)."""
        self.n = borgere
        self.check_at_end = check_at_end
        self.rng = random.Random(seed)  # noqa: S311 (synthetic data, not security)
        self.log = log
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self._midnight: dict[date, datetime] = {}
        self.used_cpr: set[str] = set()
        self.counts: dict[str, int] = {}

    # Infrastructure

    def _reserve(self, table: str, count: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                "nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                [table, table, count],
            )
            last = cursor.fetchone()[0]
        return int(last) - count + 1

    def _table(self, model: type[models.Model], fields: Sequence[str], ids: bool = False) -> Table:
        table = Table(model, fields, reserve=self._reserve, ids=ids)
        self.tables.append(table)
        return table

    def at(self, day: date, minute: int = 600) -> datetime:
        """An aware timestamp `minute` minutes after local midnight of `day`."""
        midnight = self._midnight.get(day)
        if midnight is None:
            midnight = datetime(day.year, day.month, day.day, tzinfo=self.tz)
            self._midnight[day] = midnight
        return midnight + timedelta(minutes=minute)

    def past(self, day: date, minute: int) -> datetime:
        """Like `at`, but never after now: what happened today happened before this run."""
        return min(self.at(day, minute), self.now)

    def office(self, day: date) -> datetime:
        """A moment in office hours of `day` (not after now)."""
        return self.past(day, 480 + self.rng.randrange(450))

    @staticmethod
    def weekday(day: date) -> date:
        """Weekend days move to the nearest weekday (Saturday back, Sunday forward)."""
        wd = day.weekday()
        if wd == 5:
            return day - timedelta(days=1)
        if wd == 6:
            return day + timedelta(days=1)
        return day

    @staticmethod
    @lru_cache(maxsize=65536)
    def deadline(start: date, value: int, unit: str) -> datetime:
        return calendar.end_of_day(calendar.add(start, value, unit))

    # Setup: reference data, organisation, users

    def run(self) -> dict[str, int]:
        started = time.perf_counter()
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Checked as each COPY ends, so no queue of deferred checks builds up.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                if self.check_at_end is None:
                    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                    self.check_at_end = bool(cursor.fetchone()[0])
                if self.check_at_end:
                    # A superuser may switch the row-by-row foreign key triggers off (as
                    # pg_restore does); the keys are then checked set-based before the commit.
                    cursor.execute("SET LOCAL session_replication_role = replica")
            self._catalog()
            self._tables()
            self._organisation()
            self._citizens(started)
            if self.check_at_end:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = origin")
                self._check_foreign_keys()
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's default again
        self._analyze()
        return self.counts

    def written_tables(self) -> list[str]:
        setup: list[type[models.Model]] = [
            Team,
            Organisation,
            User,
            m2m(User, "teams"),
            Visitationsudvalg,
            m2m(Visitationsudvalg, "medlemmer"),
            Udvalgsmoede,
        ]
        return [t.name for t in self.tables] + [model._meta.db_table for model in setup]

    def _check_foreign_keys(self) -> None:
        """Every foreign key of every table written points at an existing row; else the whole
        run is rolled back."""
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text,
                       af.attname
                FROM pg_constraint c
                JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
                JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
                WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)
                """,
                [self.written_tables()],
            )
            keys = cursor.fetchall()
            for child, column, parent, target in keys:
                cursor.execute(
                    f"SELECT c.{column} FROM {child} c WHERE c.{column} IS NOT NULL "  # noqa: S608
                    f"AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{target} = c.{column}) "
                    "LIMIT 1"
                )
                missing = cursor.fetchone()
                if missing is not None:
                    raise ImproperlyConfigured(
                        f"seed_scale: {child}.{column} = {missing[0]} findes ikke i {parent}."
                    )
        self.log(
            f"  {len(keys)} fremmednøgler kontrolleret ({time.perf_counter() - started:.0f} s)"
        )

    def _catalog(self) -> None:
        kommune = current_kommune()
        profiles = PROFILES.get(kommune.slug)
        if profiles is None:
            raise ImproperlyConfigured(
                f"seed_scale kender ikke ydelserne i {kommune.slug!r}; kendte kommuner: "
                f"{', '.join(sorted(PROFILES))}."
            )
        self.kommune = kommune
        ydelser = {
            y.kode: y
            for y in kommunale_ydelser(kommune=kommune).prefetch_related(
                "sagsbehandlingsfrister", "hjemler__lovhenvisning", "ffb_ydelser"
            )
        }
        ffb = {y.navn: y for y in Ydelse.objects.current()}
        tilbud = {t.navn: t for t in Tilbudstype.objects.current()}
        services: list[tuple[Service, int]] = []
        for profile in profiles:
            ydelse = ydelser.get(profile.kode)
            if ydelse is None:
                continue
            chosen = [ffb[name] for name in profile.ffb if name in ffb] or list(
                ydelse.ffb_ydelser.all()
            )
            if not chosen:
                continue
            offer = tilbud.get(profile.tilbud)
            laws = [y.lovgrundlag for y in chosen]
            laws += [offer.lovgrundlag] if offer is not None else []
            laws += [h.lovhenvisning.henvisning for h in ydelse.hjemler.all()]
            rules = {
                r.ansoegningstype: (r.vaerdi, r.enhed) for r in ydelse.sagsbehandlingsfrister.all()
            }
            service = Service(
                profile,
                ydelse,
                chosen,
                offer,
                "; ".join(dict.fromkeys(p for p in laws if p)),
                rules,
            )
            services.append((service, profile.weight))
        if not services:
            raise ImproperlyConfigured(
                f"Kataloget for {kommune.slug!r} har ingen af de ydelser, seed_scale bruger. "
                "Kør 'manage.py load_catalog'."
            )
        self.services = [s for s, _ in services]
        self.service_pick = Weighted(services)
        scored = list(
            Undertema.objects.current().filter(scores=True).select_related("tema").order_by("pk")
        )
        if not scored:
            raise ImproperlyConfigured("FFB-kataloget har ingen scorede undertemaer.")
        self.scored = scored
        self.themes_other = list(
            Tema.objects.current().filter(kategori__scores=False).order_by("pk")
        )
        self.niveau = {n.vaerdi: n.pk for n in Funktionsevneniveau.objects.current()}
        self.stoettebehov = {s.vaerdi: (s.pk, s.navn) for s in Stoettebehov.objects.current()}
        maaltyper = {m.navn: m.pk for m in Maaltype.objects.current()}
        self.maaltype_ids = maaltyper
        weights = {**MAALTYPER, MAALTYPE_BEGRAENSE: 15}
        self.maaltype_pick = Weighted({k: v for k, v in weights.items() if k in maaltyper})
        fremad = {f.navn: f.pk for f in Fremadrettet.objects.current()}
        self.fremad_uaendret = fremad.get("Mål uændret")
        self.fremad_afsluttes = fremad.get("Mål skal afsluttes")
        status = {s.navn: s.pk for s in StatusPaaIndsats.objects.current()}
        self.status_fortsaet = status.get("Træf afgørelse om fortsættelse af indsats")
        self.status_afslut = status.get("Træf afgørelse om afslutning af indsats")
        groups = list(Maalgruppe.objects.current().filter(kan_vaelges=True).order_by("pk"))
        self.maalgrupper = [(g.pk, g.navn) for g in groups]
        self.udfald = {u.navn: u.pk for u in Visitationsudfald.objects.current()}
        if len(self.niveau) < 5 or len(self.stoettebehov) < 5 or not self.maaltype_ids:
            raise ImproperlyConfigured("FFB-kataloget mangler skalaer; kør 'load_catalog'.")

    def _tables(self) -> None:
        self.tables: list[Table] = []
        t = self._table
        # In the order they are written: a table's rows only point at tables before it.
        self.t_borger = t(
            Borger,
            [
                "cpr",
                "fornavn",
                "efternavn",
                "adresse",
                "postnummer",
                "by",
                "telefon",
                "email",
                "oprettet",
            ],
            ids=True,
        )
        self.t_relation = t(
            Relation,
            [
                "borger",
                "type",
                "navn",
                "relation",
                "telefon",
                "vaergemaalsform",
                "fuldmagt",
                "varetager_partsrettigheder",
                "gyldig_fra",
            ],
        )
        self.t_sag = t(
            Sag,
            [
                "borger",
                "team",
                "sagsbehandler",
                "aarsag",
                "kommunal_ydelse",
                "ansoegningstype",
                "fase",
                "oprettet",
                "fase_skiftet",
            ],
            ids=True,
        )
        self.t_henvendelse = t(
            Henvendelse,
            [
                "borger",
                "modtaget",
                "kilde",
                "kilde_navn",
                "aarsag",
                "team",
                "triage",
                "triage_notat",
                "henvist_til",
                "sag",
                "registreret_af",
                "registreret",
            ],
        )
        self.t_aabning = t(
            Sagsaabning,
            [
                "sag",
                "borger_indforstaaet",
                "borger_orienteret_dato",
                "oensker_for_fremtiden",
                "vaergemaal",
                "vaergemaalsform",
                "vaerge_undersoeges",
                "informeret_om_bisidder",
                "repraesenteret",
                "repraesentationsform",
                "informeret_om_elektronisk_registrering",
                "samtykke_relevant",
                "helhedssyn_vejledt",
                "helhedssyn_hvilke",
                "opdateret",
            ],
        )
        self.t_formaal = t(
            Formaal, ["sag", "formaal", "analysespoergsmaal", "oprettet", "oprettet_af"]
        )
        self.t_diagnose = t(Diagnose, ["sag", "diagnose", "icd10", "stillet_af", "dato"])
        self.t_overgang = t(
            Overgang,
            ["sag", "navn", "fra_fase", "til_fase", "udfoert_af", "tidspunkt", "begrundelse"],
        )
        self.t_frist = t(
            Frist,
            [
                "sag",
                "art",
                "beskrivelse",
                "frist",
                "status",
                "ansvarlig",
                "ansvarligt_team",
                "ansvarlig_udfoerer",
                "regel",
                "oprettet",
                "afsluttet",
            ],
            ids=True,
        )
        self.t_udredning = t(Udredning, ["sag", "oprettet", "oprettet_af"], ids=True)
        self.t_tema = t(
            TemaOplysning,
            ["udredning", "tema", "fra_borgeren", "fra_andre", "bemaerkninger", "opdateret"],
        )
        self.t_score = t(
            Funktionsevnevurdering,
            ["udredning", "undertema", "niveau", "vurderingsdato", "vurderet_af", "oprettet"],
            ids=True,
        )
        self.t_vurdering = t(
            Sagsvurdering,
            [
                "sag",
                "udredning",
                "vurdering_af_situation",
                "indsatsformaal",
                "samme_opfoelgning_for_alle_maal",
                "faelles_opfoelgning",
                "vurdering_af_stoettebehov",
                "berettiget",
                "berettigelse_begrundelse",
                "borgerens_behov_vurderet",
                "stoettebehov",
                "borgerens_perspektiv",
                "borgerens_ressourcer",
                "handleplan_tilbudt",
                "handleplan_oensket",
                "oprettet",
                "oprettet_af",
                "opdateret",
            ],
            ids=True,
        )
        self.t_maal = t(
            Indsatsmaal,
            [
                "vurdering",
                "raekkefoelge",
                "maalformulering",
                "maaltype",
                "primaert_undertema",
                "aktuel_vurdering",
                "forventet_niveau",
                "ansvarlig_for_opfoelgning",
                "udfoerer",
                "timer_pr_uge",
            ],
            ids=True,
        )
        self.t_indsats = t(
            Indsats,
            [
                "vurdering",
                "kommunal_ydelse",
                "tilbudstype",
                "udfoerer",
                "konto",
                "forventet_start",
                "forventet_slut",
            ],
            ids=True,
        )
        self.t_indsats_ydelser = t(m2m(Indsats, "ydelser"), ["indsats", "ydelse"])
        self.t_prislinje = t(
            Prislinje,
            [
                "indsats",
                "ydelse",
                "enhed",
                "antal_pr_periode",
                "frekvens",
                "gentagelser",
                "enhedspris",
            ],
        )
        self.t_maalgruppe = t(VurderingMaalgruppe, ["vurdering", "maalgruppe", "primaer"])
        self.t_indstilling = t(
            Indstilling,
            ["sag", "vurdering", "indstilling", "status", "oprettet", "oprettet_af"],
            ids=True,
        )
        self.t_punkt = t(
            Dagsordenspunkt,
            ["moede", "sag", "indstilling", "udfald", "begrundelse", "behandlet", "behandlet_af"],
        )
        self.t_afgoerelse = t(
            Afgoerelse,
            [
                "sag",
                "vurdering",
                "erstatter",
                "truffet_af",
                "form",
                "truffet",
                "meddelt",
                "fuldt_medhold",
                "begrundelse_vurdering",
                "begrundelse_regler",
                "maalgruppe",
                "klagefrist",
                "oprettet",
                "oprettet_af",
            ],
            ids=True,
        )
        self.t_resultat = t(
            AfgoerelsesResultat,
            [
                "afgoerelse",
                "indsats",
                "kommunal_ydelse",
                "beskrivelse",
                "resultat",
                "omfang",
                "virkningsdato",
                "nedsaettelse",
            ],
        )
        self.t_klage = t(
            Klage,
            [
                "sag",
                "afgoerelse",
                "modtaget",
                "kanal",
                "tekst",
                "genvurdering",
                "genvurderet",
                "ny_afgoerelse",
                "sendt_til_ankestyrelsen",
                "ankestyrelsens_afgoerelse",
                "ankestyrelsens_dato",
                "registreret_af",
            ],
        )
        self.t_bestilling = t(
            Bestilling,
            [
                "sag",
                "udfoerer",
                "afgoerelse",
                "version",
                "status",
                "startdato",
                "slutdato",
                "indhold",
                "vedlagt_handleplan",
                "sendt",
                "sendt_af",
                "modtaget",
                "besvaret",
                "besvaret_af",
                "afvist_begrundelse",
            ],
            ids=True,
        )
        self.t_bestilling_maal = t(m2m(Bestilling, "maal"), ["bestilling", "indsatsmaal"])
        self.t_bestilling_indsatser = t(m2m(Bestilling, "indsatser"), ["bestilling", "indsats"])
        self.t_delmaal = t(
            Delmaal,
            ["sag", "udfoerer", "oprettet", "oprettet_af", "formulering", "tidsfrist", "status"],
            ids=True,
        )
        self.t_delmaal_maal = t(m2m(Delmaal, "indsatsmaal"), ["delmaal", "indsatsmaal"])
        self.t_notat = t(Delmaalsnotat, ["delmaal", "dato", "tekst", "oprettet", "oprettet_af"])
        self.t_leveringsnotat = t(
            Leveringsnotat, ["sag", "udfoerer", "oprettet", "oprettet_af", "dato", "tekst"]
        )
        self.t_magt = t(
            Magtanvendelse,
            ["sag", "udfoerer", "oprettet", "oprettet_af", "tidspunkt", "type", "beskrivelse"],
        )
        self.t_opfoelgning = t(
            Opfoelgning,
            [
                "sag",
                "dato",
                "grundlag",
                "udfoerer",
                "status",
                "moede_tidspunkt",
                "moede_form",
                "moede_sted",
                "deltagere",
                "oprettet",
            ],
            ids=True,
        )
        self.t_opfoelgning_frister = t(m2m(Opfoelgning, "frister"), ["opfoelgning", "frist"])
        self.t_statusnotat = t(
            Statusnotat,
            [
                "opfoelgning",
                "udfoerer",
                "vaesentlige_aendringer",
                "indsendt",
                "oprettet_af",
                "opdateret",
            ],
            ids=True,
        )
        self.t_statusnotat_maal = t(
            StatusnotatMaal,
            ["statusnotat", "indsatsmaal", "vurdering_af_arbejdet", "maalopfyldelse"],
        )
        self.t_skema = t(
            Opfoelgningsskema,
            [
                "opfoelgning",
                "form",
                "deltagere",
                "naeste_dato",
                "samlet_konklusion",
                "status_paa_indsats",
                "stoettebehov_foer",
                "stoettebehov_efter",
                "tilsyn_gennemfoert",
                "trives",
                "magtanvendelser_i_perioden",
                "magtanvendelse_opfoelgning",
                "tilsyn_konklusion",
                "moedt_borgeren",
                "borger_enig",
                "udfald",
                "afsluttet",
                "afsluttet_af",
                "opdateret",
            ],
            ids=True,
        )
        self.t_skema_maal = t(
            SkemaMaal,
            [
                "skema",
                "indsatsmaal",
                "overfoert_niveau",
                "overfoert_forventet",
                "borgerens_vurdering",
                "udfoerers_vurdering",
                "sagsbehandlers_vurdering",
                "nyt_niveau",
                "vurderet",
                "fremadrettet",
            ],
        )
        self.t_journal = t(
            Journalnotat, ["sag", "dato", "emne", "tekst", "forfatter", "underskrift", "oprettet"]
        )
        self.t_audit = t(
            AuditEvent,
            [
                "occurred_at",
                "actor",
                "actor_label",
                "action",
                "borger_id",
                "object_type",
                "object_id",
                "summary",
                "user_agent",
            ],
        )

    def _organisation(self) -> None:
        rng = self.rng
        n = self.n
        password = make_password(SCALE_PASSWORD)
        existing_teams = set(Team.objects.values_list("navn", flat=True))
        team_count = max(4, -(-n // CITIZENS_PER_TEAM))
        teams: list[Team] = []
        for i in range(team_count):
            kind, slug = TEAM_KINDS[i % len(TEAM_KINDS)]
            district = DISTRICTS[(i // len(TEAM_KINDS)) % len(DISTRICTS)]
            round_ = i // (len(TEAM_KINDS) * len(DISTRICTS))
            navn = f"{kind} {district}" + (f" {round_ + 1}" if round_ else "")
            if navn in existing_teams:
                navn += " (skala)"
            ean = f"5798000{rng.randrange(10**6):06d}"
            teams.append(Team(navn=navn, slug=f"{USERNAME_PREFIX}{slug}-{i + 1}", ean_nummer=ean))
        self.teams = Team.objects.bulk_create(teams)

        users: list[User] = []
        memberships: list[tuple[int, int]] = []  # (index in users, team index)

        def user(prefix: str, i: int, role: str, titel: str, **extra: Any) -> int:
            female = rng.random() < 0.7
            first = rng.choice(FEMALE if female else MALE)
            last = rng.choice(SURNAMES)
            username = f"{USERNAME_PREFIX}{prefix}-{i:05d}"
            users.append(
                User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@skala.vum.example.dk",
                    role=role,
                    titel=titel,
                    telefon=f"89 15 {rng.randrange(100):02d} {rng.randrange(100):02d}",
                    password=password,
                    **extra,
                )
            )
            return len(users) - 1

        open_cases = n * LAST_CASE_OPEN
        per_team = max(2, round(open_cases / OPEN_CASES_PER_CASEWORKER / team_count))
        caseworkers: list[list[int]] = []
        for ti, team in enumerate(self.teams):
            idx = []
            for _ in range(per_team):
                k = user("sb", len(users) + 1, Role.SAGSBEHANDLER, f"Socialrådgiver, {team.navn}")
                memberships.append((k, ti))
                idx.append(k)
            caseworkers.append(idx)
        leaders: list[int] = []
        for start in range(0, team_count, 4):
            k = user("leder", len(leaders) + 1, Role.LEDER, "Teamleder")
            leaders.append(k)
            memberships.extend((k, ti) for ti in range(start, min(start + 4, team_count)))
        chef = user("leder", len(leaders) + 1, Role.LEDER, "Afdelingschef")
        leaders.append(chef)
        memberships.extend((chef, ti) for ti in range(team_count))
        members = [
            user("visitation", i + 1, Role.VISITATIONSUDVALG, "Medlem af visitationsudvalget")
            for i in range(3)
        ]

        existing_orgs = set(Organisation.objects.values_list("navn", flat=True))
        org_count = max(2, round(n / CITIZENS_PER_PROVIDER))
        kinds = sorted({s.profile.kind for s in self.services})
        kind_weight = {
            k: sum(s.profile.weight for s in self.services if s.profile.kind == k) for k in kinds
        }
        # Every kind of service has at least one provider; the rest follow the services' weights.
        org_kinds = list(kinds)
        kind_pick = Weighted(kind_weight)
        while len(org_kinds) < org_count:
            org_kinds.append(kind_pick.pick(rng))
        orgs: list[Organisation] = []
        names: set[str] = set(existing_orgs)
        for kind in org_kinds:
            base = f"{rng.choice(PROVIDER_NAMES[kind])} {rng.choice(PLACES)}"
            navn, k = base, 1
            while navn in names:
                k += 1
                navn = f"{base} {k}"
            names.add(navn)
            postnummer, by = POSTCODES.get(self.kommune.slug, POSTCODES["randers"])[0][:2]
            orgs.append(
                Organisation(
                    navn=navn,
                    cvr=f"{rng.randrange(10**7, 10**8)}",
                    adresse=f"{rng.choice(STREETS)} {rng.randint(1, 120)}, {postnummer} {by}",
                    p_nummer=f"{rng.randrange(10**9, 10**10)}",
                    telefon=f"87 {rng.randrange(10, 100)} {rng.randrange(10, 100)} "
                    f"{rng.randrange(10, 100)}",
                )
            )
        self.orgs = Organisation.objects.bulk_create(orgs)
        org_staff: list[list[int]] = []
        for org in self.orgs:
            org_staff.append(
                [
                    user("udf", len(users) + 1, Role.UDFOERER, "Pædagog", organisation=org)
                    for _ in range(rng.randint(3, 8))
                ]
            )
        created = User.objects.bulk_create(users)
        Through = m2m(User, "teams")
        Through.objects.bulk_create(  # type: ignore[attr-defined]
            [Through(user_id=created[k].pk, team_id=self.teams[ti].pk) for k, ti in memberships]
        )
        udvalg = Visitationsudvalg.objects.create(navn=self._unique_udvalg())
        udvalg.medlemmer.add(*(created[k] for k in members))

        self.username = {u.pk: u.username for u in created}
        self.fullname = {u.pk: f"{u.first_name} {u.last_name}" for u in created}
        self.caseworkers = [[created[k].pk for k in idx] for idx in caseworkers]
        self.members = [created[k].pk for k in members]
        self.org_staff = {
            org.pk: [created[k].pk for k in staff]
            for org, staff in zip(self.orgs, org_staff, strict=True)
        }
        self.org_name = {org.pk: org.navn for org in self.orgs}
        self.org_pnr = {org.pk: org.p_nummer for org in self.orgs}
        self.user_by_id = {u.pk: u for u in created}
        kind_orgs: dict[str, list[int]] = {}
        for org, kind in zip(self.orgs, org_kinds, strict=True):
            kind_orgs.setdefault(kind, []).append(org.pk)
        for service in self.services:
            service.providers = kind_orgs[service.profile.kind]
        self.team_index = {team.pk: ti for ti, team in enumerate(self.teams)}
        self.udvalg = udvalg
        self.meetings: dict[tuple[int, int], int] = {}
        self.counts.update(
            {
                "accounts.Team": len(self.teams),
                "accounts.Organisation": len(self.orgs),
                "accounts.User": len(created),
                "assessment.Visitationsudvalg": 1,
            }
        )

    @staticmethod
    def _unique_udvalg() -> str:
        navn = "Visitationsudvalget for voksne"
        existing = set(Visitationsudvalg.objects.values_list("navn", flat=True))
        k = 1
        candidate = navn
        while candidate in existing:
            k += 1
            candidate = f"{navn} {k}"
        return candidate

    def _analyze(self) -> None:
        with connection.cursor() as cursor:
            for table in self.written_tables():
                cursor.execute(f'ANALYZE "{table}"')

    # Citizens and their cases

    def _citizens(self, started: float) -> None:
        self.kilde_pick = Weighted(KILDER)
        self.cases_pick = Weighted(CASES_PER_CITIZEN)
        self.open_pick = Weighted(OPEN_PHASES)
        self.closed_pick = Weighted(CLOSED_ROUTES)
        # The first open cases take every phase once and the first closed ones every route, so
        # that even a small run has them all.
        self.open_first: list[str] = list(OPEN_PHASES)
        self.closed_first: list[str] = list(CLOSED_ROUTES)
        self.level_pick = Weighted(LEVELS)
        self.small_count = Weighted({1: 35, 2: 45, 3: 20})
        self.progress_pick = {k: Weighted(v) for k, v in PROGRESSION.items()}
        self.postcode_pick = Weighted(
            [((p, b), w) for p, b, w in POSTCODES.get(self.kommune.slug, POSTCODES["randers"])]
        )
        self.goal_texts = {
            u.pk: GOALS.get(u.tema.navn, ["Jeg klarer mere selv i hverdagen"]) for u in self.scored
        }
        raw = connection.connection
        assert raw is not None
        with raw.cursor() as cursor:
            done = 0
            while done < self.n:
                size = min(CHUNK_CITIZENS, self.n - done)
                for _ in range(size):
                    self._citizen()
                for table in self.tables:
                    table.flush(cursor)
                done += size
                self.log(f"  {done:,} / {self.n:,} borgere ({time.perf_counter() - started:.0f} s)")
        for table in self.tables:
            self.counts[table.label] = self.counts.get(table.label, 0) + table.total
        self.counts["assessment.Udvalgsmoede"] = len(self.meetings)

    def audit(
        self,
        when: datetime,
        actor: int | None,
        action: str,
        borger: int,
        label: str,
        object_id: int | str,
        summary: str,
    ) -> None:
        self.t_audit.add(
            when,
            actor,
            self.username[actor] if actor is not None else "system",
            action,
            borger,
            label,
            str(object_id),
            summary,
            USER_AGENT,
        )

    def _cpr(self, male: bool) -> str:
        rng = self.rng
        while True:
            age = rng.choice((18, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 80))
            age += rng.randrange(5 if age < 80 else 11)
            born = self.today - timedelta(days=int(age * 365.25) + rng.randrange(365))
            if born.year < 1926:
                continue
            seventh = "5" if born.year >= 2000 else "0"
            last = rng.randrange(1, 10, 2) if male else rng.randrange(0, 10, 2)
            cpr = f"{born:%d%m}{born.year % 100:02d}{seventh}{rng.randrange(100):02d}{last}"
            if cpr not in self.used_cpr:
                self.used_cpr.add(cpr)
                return cpr

    def _citizen(self) -> None:
        rng = self.rng
        male = rng.random() < 0.55
        fornavn = rng.choice(MALE if male else FEMALE)
        efternavn = rng.choice(SURNAMES)
        postnummer, by = self.postcode_pick.pick(rng)
        adresse = f"{rng.choice(STREETS)} {rng.randint(1, 150)}" + (
            f", {rng.randint(1, 4)}. {rng.choice(('th.', 'tv.', 'mf.'))}"
            if rng.random() < 0.5
            else ""
        )
        telefon = (
            f"{rng.randrange(20, 99)} {rng.randrange(10, 100)} {rng.randrange(10, 100)} "
            f"{rng.randrange(10, 100)}"
        )
        team = self.teams[rng.randrange(len(self.teams))]
        borger_id = self.t_borger.new_id()
        cpr = self._cpr(male)
        ncases = self.cases_pick.pick(rng)
        # The citizen's cases lie anywhere in the last eight years; the last one may be open.
        last_open = rng.random() < LAST_CASE_OPEN
        citizen = Citizen(
            borger_id,
            cpr,
            fornavn,
            efternavn,
            adresse,
            postnummer,
            by,
            telefon,
            team,
            [],
            "",
            False,
        )
        plans = [self._plan(open_=last_open and i == ncases - 1) for i in range(ncases)]
        first_day = min(min(self.weekday(plan["start"]), self.today) for plan in plans)
        # Some citizens asked before and got advice or were referred elsewhere: no case.
        advice = rng.choice(ADVICE) if rng.random() < 0.3 else None
        advice_day = self.weekday(first_day - timedelta(days=rng.randrange(30, 400)))
        if advice is not None:
            first_day = advice_day
        caseworker = rng.choice(self.caseworkers[self.team_index[team.pk]])
        registered = self.past(first_day, 8 * 60)  # before anything else that day
        self.t_borger.add(
            borger_id,
            cpr,
            fornavn,
            efternavn,
            adresse,
            postnummer,
            by,
            telefon,
            f"{fornavn.lower()}.{efternavn.lower()}{rng.randrange(100)}@example.dk"
            if rng.random() < 0.3
            else "",
            registered,
        )
        self.audit(
            registered,
            caseworker,
            "create",
            borger_id,
            "cases.Borger",
            borger_id,
            "Borger oprettet",
        )
        self._relations(citizen, first_day, caseworker)
        if advice is not None:
            kind, note, henvist_til = advice
            when = self.office(advice_day)
            self.t_henvendelse.add(
                borger_id,
                advice_day,
                self.kilde_pick.pick(rng),
                "",
                rng.choice(ENQUIRIES),
                team.pk,
                kind,
                note,
                henvist_til,
                None,
                caseworker,
                max(when, registered),
            )
            self.audit(
                max(when, registered),
                caseworker,
                "create",
                borger_id,
                "cases.Henvendelse",
                "",
                f"Henvendelse registreret: {Henvendelse.Triage(kind).label}",
            )
        for plan in plans:
            self._case(citizen, plan)

    def _relations(self, citizen: Citizen, day: date, actor: int) -> None:
        rng = self.rng
        if rng.random() < 0.4:
            relation, gender = rng.choice(RELATIVES)
            first = rng.choice(FEMALE if gender == "F" else MALE if gender == "M" else FEMALE)
            navn = f"{first} {citizen.efternavn}"
            telefon = f"{rng.randrange(20, 99)} {rng.randrange(10, 100)} {rng.randrange(10, 100)}"
            self.t_relation.add(
                citizen.id, "paaroerende", navn, relation, telefon, "", "", False, None
            )
            citizen.kontakter.append(
                {
                    "navn": navn,
                    "type": "Pårørende",
                    "relation": relation,
                    "telefon": telefon,
                    "partsrettigheder": False,
                }
            )
            self.audit(
                self.office(day),
                actor,
                "create",
                citizen.id,
                "cases.Relation",
                "",
                "Pårørende registreret",
            )
        if rng.random() < 0.06:
            form = rng.choice(("par5", "par6", "par7"))
            navn = f"{rng.choice(FEMALE + MALE)} {rng.choice(SURNAMES)}"
            self.t_relation.add(
                citizen.id,
                "vaerge",
                navn,
                "beskikket værge",
                "",
                form,
                "",
                True,
                day - timedelta(days=rng.randrange(30, 2000)),
            )
            citizen.vaerge = form
            citizen.kontakter.append(
                {
                    "navn": navn,
                    "type": "Værge",
                    "relation": "beskikket værge",
                    "telefon": "",
                    "partsrettigheder": True,
                }
            )
        if rng.random() < 0.1:
            navn = f"{rng.choice(FEMALE + MALE)} {rng.choice(SURNAMES)}"
            self.t_relation.add(
                citizen.id,
                "bisidder",
                navn,
                "ven",
                "",
                "",
                "Fuldmagt til at tale med kommunen.",
                False,
                day,
            )
            citizen.bisidder = True
            citizen.kontakter.append(
                {
                    "navn": navn,
                    "type": "Bisidder",
                    "relation": "ven",
                    "telefon": "",
                    "partsrettigheder": False,
                }
            )

    # The plan of one case: where it ends and when each step happens (days after the enquiry)

    def _plan(self, *, open_: bool) -> dict[str, Any]:
        rng = self.rng
        service: Service = self.service_pick.pick(rng)
        kind = rng.random()
        ansoegningstype = (
            "ny" if kind < 0.75 else "aendring" if kind < 0.95 else "aendring_nye_oplysninger"
        )
        rule = service.rules.get(ansoegningstype) or service.rules.get("")
        if rule is None:
            due_days = 42
        else:
            value, unit = rule
            due_days = {"dage": value, "arbejdsdage": value * 7 // 5, "uger": value * 7}.get(
                unit, value * 30
            )
        if rng.random() < DECIDED_IN_TIME:
            decision = int(due_days * rng.uniform(0.45, 0.97))
        else:
            decision = int(due_days * rng.uniform(1.03, 1.6)) + 1
        decision = max(decision, 6)
        a = rng.uniform(0.08, 0.2)
        b = a + rng.uniform(0.35, 0.55)
        c = min(b + rng.uniform(0.1, 0.25), 0.95)
        t1 = max(1, round(decision * a))
        t2 = max(t1 + 1, round(decision * b))
        t3 = max(t2 + 1, round(decision * c))
        decision = max(decision, t3 + 1)
        meddelt = decision + rng.randint(0, 2)
        t_bestilling = meddelt + rng.randint(1, 6)
        t_levering = t_bestilling + rng.randint(2, 15)
        first = service.profile.foerste * 30
        interval = service.profile.interval * 30
        plan: dict[str, Any] = {
            "service": service,
            "ansoegningstype": ansoegningstype,
            "rule": rule,
            "t": [0, t1, t2, t3, t_bestilling, t_levering],
            "decision": decision,
            "meddelt": meddelt,
            "first": first,
            "interval": interval,
            "held": [],  # (due, held, completed) offsets of the follow-ups held
            "current": None,  # the follow-up under way or planned: (due, held, completed)
        }

        def follow_up(i: int) -> tuple[int, int, int]:
            due = t_levering + first + i * interval
            held = due - rng.randint(0, 21) if rng.random() < 0.9 else due + rng.randint(1, 25)
            return due, held, held + rng.randint(1, 10)

        if open_:
            fase: str = self.open_first.pop() if self.open_first else self.open_pick.pick(rng)
            plan["fase"] = fase
            if fase == Fase.LEVERING:
                delivered = min(int(rng.expovariate(1 / 365)), 2200)
                now = t_levering + delivered
                i = 0
                while True:
                    due, held, completed = follow_up(i)
                    if completed < now:
                        plan["held"].append((due, held, completed))
                    elif held <= now:
                        now = completed + 1
                        plan["held"].append((due, held, completed))
                    else:
                        plan["current"] = (due, held, completed)
                        break
                    i += 1
                age = now
            elif fase == Fase.OPFOELGNING:
                count = min(int(rng.expovariate(1 / 1.5)), 8)
                for i in range(count):
                    plan["held"].append(follow_up(i))
                due, held, completed = follow_up(count)
                plan["current"] = (due, held, completed)
                age = held + rng.randrange(max(1, completed - held))
            else:
                index = PHASE_ORDER.index(fase)
                lo = plan["t"][index]
                hi = plan["t"][index + 1] - 1
                age = rng.randint(lo, max(lo, hi))
            plan["age"] = age
            plan["start"] = self.today - timedelta(days=age)
            plan["closed"] = None
        else:
            route: str = (
                self.closed_first.pop() if self.closed_first else self.closed_pick.pick(rng)
            )
            plan["fase"] = Fase.AFSLUTTET
            plan["route"] = route
            if route == "sagsaabning":
                end = rng.randint(0, t1)
            elif route == "sagsoplysning":
                end = rng.randint(t1 + 1, t2)
            elif route == "afslag":
                end = meddelt + rng.randint(29, 45)  # closed when the complaint period is over
            else:
                count = 1 + min(int(rng.expovariate(1 / 1.2)), 8)
                for i in range(count):
                    plan["held"].append(follow_up(i))
                end = plan["held"][-1][2]
            plan["closed"] = end
            gap = rng.randint(1, max(1, HISTORY_DAYS - end))
            plan["age"] = end + gap
            plan["start"] = self.today - timedelta(days=end + gap)
        return plan

    # One case, phase by phase

    def _case(self, citizen: Citizen, plan: dict[str, Any]) -> None:
        rng = self.rng
        c = CaseContext(self, citizen, plan)
        sag_id, cw, team = c.sag_id, c.caseworker, citizen.team
        service: Service = plan["service"]
        aarsag = rng.choice(ENQUIRIES)
        oprettet = c.oprettet = self.office(c.day(0))
        kilde = self.kilde_pick.pick(rng)
        self.t_henvendelse.add(
            citizen.id,
            c.day(0),
            kilde,
            "" if kilde == "borger" else Henvendelse.Kilde(kilde).label,
            aarsag,
            team.pk,
            "sag",
            "",
            "",
            sag_id,
            cw,
            oprettet,
        )
        self.audit(
            oprettet,
            cw,
            "create",
            citizen.id,
            "cases.Henvendelse",
            "",
            "Henvendelse registreret: Sag oprettet",
        )
        self.audit(oprettet, cw, "create", citizen.id, "cases.Sag", sag_id, "Sag oprettet")
        t1 = plan["t"][1]
        complete = c.reached >= 1 or rng.random() < 0.5
        self.t_aabning.add(
            sag_id,
            True if complete else None,
            c.day(rng.randint(0, t1)) if complete else None,
            rng.choice(WISHES) if complete else "",
            bool(citizen.vaerge) if complete else None,
            citizen.vaerge,
            False if complete else None,
            True if complete else None,
            citizen.bisidder if complete else None,
            "bisidder" if citizen.bisidder else "",
            True if complete or rng.random() < 0.5 else None,
            True if complete else None,
            True if complete else None,
            "Rådgivning om civilsamfundets tilbud og boligstøtte." if complete else "",
            self.office(c.day(min(t1, c.now))),
        )
        if complete:
            self.t_formaal.add(
                sag_id,
                "Afdække borgerens ressourcer og udfordringer og behovet for støtte.",
                "Hvilken støtte skal der til, for at borgeren kan klare sin hverdag?",
                self.office(c.day(min(t1, c.now))),
                cw,
            )
        if rng.random() < 0.5:
            for _ in range(rng.randint(1, 2)):
                diagnose, icd10 = rng.choice(DIAGNOSES)
                c.diagnoser.append(
                    (
                        diagnose,
                        rng.choice(DIAGNOSED_BY),
                        c.start - timedelta(days=rng.randrange(100, 3000)),
                    )
                )
                self.t_diagnose.add(sag_id, diagnose, icd10, *c.diagnoser[-1][1:])
        if rng.random() < 0.8:
            self._journal(c, rng.randint(0, t1), "aabning")
        self._processing_deadline(c, service)
        if c.reached >= 1:
            self._udredning(c)
        if c.reached >= 2:
            self._vurdering(c)
        if c.decided:
            self._afgoerelse(c)
        if c.reached >= 4 and c.granted:
            self._orders(c)
        if c.reached >= 5 and c.orders:
            self._delivery(c)
            self._follow_ups(c)
        self._transitions(c)
        self.t_sag.add(
            sag_id,
            citizen.id,
            team.pk,
            cw,
            aarsag,
            service.ydelse.pk,
            plan["ansoegningstype"],
            plan["fase"],
            oprettet,
            c.fase_skiftet,
        )

    def _journal(self, c: "CaseContext", offset: int, kind: str) -> None:
        if offset > c.now:
            return
        day = c.day(offset)
        when = self.office(day)
        emne, tekst = JOURNAL[kind]
        signature = f"{self.fullname[c.caseworker]}, {when.astimezone(self.tz):%d.%m.%Y %H:%M}"
        self.t_journal.add(c.sag_id, day, emne, tekst, c.caseworker, signature, when)
        self.audit(
            when,
            c.caseworker,
            "create",
            c.citizen.id,
            "cases.Journalnotat",
            "",
            "Journalnotat skrevet",
        )

    def frist(
        self,
        c: "CaseContext",
        art: str,
        beskrivelse: str,
        due: datetime,
        status: str,
        closed: datetime | None,
        regel: str,
        created: datetime,
        *,
        udfoerer: int | None = None,
    ) -> int:
        pk = self.t_frist.new_id()
        person = None if udfoerer is not None else c.caseworker
        team = None if udfoerer is not None else c.citizen.team.pk
        self.t_frist.add(
            pk,
            c.sag_id,
            art,
            beskrivelse,
            due,
            status,
            person,
            team,
            udfoerer,
            regel,
            created,
            closed,
        )
        return pk

    def _processing_deadline(self, c: "CaseContext", service: Service) -> None:
        rule = c.plan["rule"]
        if rule is None:
            return
        value, unit = rule
        start = c.day(0)
        due = self.deadline(start, value, unit)
        kind = {"ny": "ny ansøgning", "aendring": "ændring"}.get(
            c.plan["ansoegningstype"], "ændring, der kræver nye oplysninger"
        )
        regel = (
            f"{service.ydelse.kode}: {value} {calendar.Unit(unit).label} fra modtagelse af "
            f"ansøgningen ({start:%d.%m.%Y}), {kind}"
        )
        meddelt = c.plan["meddelt"]
        if c.decided and meddelt <= c.now:
            met = self.office(c.day(meddelt))
            status = "overholdt" if met <= due else "overskredet"
            closed: datetime | None = met
        elif c.closed is not None:
            status, closed = "annulleret", self.office(c.day(c.closed))
        else:
            status, closed = "aaben", None
        self.frist(
            c,
            "sagsbehandlingsfrist",
            f"Afgørelse om {service.ydelse.navn}",
            due,
            status,
            closed,
            regel,
            self.office(start),
        )

    def _udredning(self, c: "CaseContext") -> None:
        rng = self.rng
        t1, t2 = c.plan["t"][1], c.plan["t"][2]
        end = min(t2, c.now)
        pk = self.t_udredning.new_id()
        c.udredning = pk
        self.t_udredning.add(pk, c.sag_id, self.office(c.day(t1)), c.caseworker)
        self.audit(
            self.office(c.day(t1)),
            c.caseworker,
            "create",
            c.citizen.id,
            "assessment.Udredning",
            pk,
            "Udredning startet",
        )
        chosen = rng.sample(self.scored, rng.randint(4, 7))
        themes = list(dict.fromkeys(u.tema_id for u in chosen))[: rng.randint(2, 3)]
        if rng.random() < 0.4 and self.themes_other:
            themes.append(rng.choice(self.themes_other).pk)
        for tema in dict.fromkeys(themes):
            borger, andre, bemaerkning = rng.choice(THEME_TEXT)
            self.t_tema.add(
                pk,
                tema,
                borger,
                andre,
                bemaerkning,
                self.office(c.day(rng.randint(t1, max(t1, end)))),
            )
        for undertema in chosen:
            level = self.level_pick.pick(rng)
            score = self.t_score.new_id()
            day = c.day(rng.randint(t1, max(t1, end)))
            self.t_score.add(
                score, pk, undertema.pk, self.niveau[level], day, c.caseworker, self.office(day)
            )
            c.scores.append((undertema, score, level))

    def _vurdering(self, c: "CaseContext") -> None:
        rng = self.rng
        plan = c.plan
        t2 = plan["t"][2]
        in_progress = c.reached == 2 and c.closed is None
        refused = plan.get("route") == "afslag"
        levels = [level for _, _, level in c.scores] or [2]
        sb = min(4, max(0, round(sum(levels) / len(levels)) + rng.choice((-1, 0, 0, 1))))
        c.stoettebehov = None if in_progress and rng.random() < 0.5 else sb
        c.interval = "3_maaneder" if rng.random() < 0.7 else "6_maaneder"
        pk = self.t_vurdering.new_id()
        c.vurdering = pk
        when = self.office(c.day(t2))
        c.situation = (
            "Borgeren har nedsat funktionsevne og har brug for støtte for at kunne "
            "klare hverdagen; borgeren er motiveret for en indsats."
        )
        c.formaal = "Borgeren bliver mere selvhjulpen i egen hverdag."
        self.t_vurdering.add(
            pk,
            c.sag_id,
            c.udredning,
            c.situation,
            c.formaal,
            True,
            c.interval,
            "Støttebehovet vurderes ud fra målene og borgerens ressourcer.",
            None if in_progress else not refused,
            "Borgeren har betydelig nedsat funktionsevne."
            if not refused
            else "Borgeren er ikke i målgruppen for ydelsen.",
            "Borgerens eget oplevede behov er vurderet ud fra samtalerne og udredningen."
            if refused
            else "",
            self.stoettebehov[c.stoettebehov][0] if c.stoettebehov is not None else None,
            "Borgeren ønsker støtte og vil gerne arbejde med målene.",
            "Borgeren er motiveret og har et godt forhold til sin familie.",
            True,
            rng.random() < 0.4,
            when,
            c.caseworker,
            when,
        )
        self.audit(
            when,
            c.caseworker,
            "create",
            c.citizen.id,
            "assessment.Sagsvurdering",
            pk,
            "Sagsvurdering startet",
        )
        # The services: the one applied for, sometimes one more with another kind of provider.
        services: list[Service] = [plan["service"]]
        if rng.random() < 0.15:
            other = self.service_pick.pick(rng)
            if other.profile.kind != services[0].profile.kind:
                services.append(other)
        if in_progress and rng.random() < 0.4:
            services = []
        start = c.planned(plan["meddelt"] + rng.randint(3, 20))
        for service in services:
            self._indsats(c, service, start)
        # Goals: on scored sub-themes, the weakest first; every provider gets at least one.
        ranked = sorted(c.scores, key=lambda s: -s[2])
        count = max(len(c.indsatser), min(len(ranked), self.small_count.pick(rng)))
        for nr, (undertema, score, level) in enumerate(ranked[:count], start=1):
            maaltype: str = self.maaltype_pick.pick(rng)
            if level >= 3 and rng.random() < 0.3 and MAALTYPE_BEGRAENSE in self.maaltype_ids:
                maaltype = MAALTYPE_BEGRAENSE
            expected = max(0, level - 1) if maaltype == "Udvikle funktionsevne" else level
            indsats = c.indsatser[(nr - 1) % len(c.indsatser)] if c.indsatser else None
            provider = indsats["provider"] if indsats is not None else None
            timer = (
                Decimal(rng.randint(1, 4))
                if indsats is not None and indsats["service"].profile.enhed == "time"
                else None
            )
            goal = Goal(
                self.t_maal.new_id(),
                nr,
                rng.choice(self.goal_texts[undertema.pk]),
                maaltype,
                self.maaltype_ids[maaltype],
                undertema,
                score,
                level,
                expected,
                provider or 0,
                timer,
            )
            c.goals.append(goal)
            self.t_maal.add(
                goal.id,
                pk,
                nr,
                goal.text,
                goal.maaltype_id,
                undertema.pk,
                score,
                expected,
                "Sagsbehandleren",
                provider,
                timer,
            )
        primary = rng.choice(self.maalgrupper)
        c.maalgrupper = [f"{primary[1]} (primær)"]
        c.maalgruppe = primary[0]
        self.t_maalgruppe.add(pk, primary[0], True)
        if rng.random() < 0.25:
            other_group = rng.choice(self.maalgrupper)
            if other_group != primary:
                c.maalgrupper.append(other_group[1])
                self.t_maalgruppe.add(pk, other_group[0], False)

    def _indsats(self, c: "CaseContext", service: Service, start: date) -> None:
        rng = self.rng
        p = service.profile
        pk = self.t_indsats.new_id()
        provider = rng.choice(service.providers)
        end = start + timedelta(weeks=p.gentagelser) if p.fast_slut else None
        konto = f"5.38.{rng.choice(('39', '40', '42', '45', '50'))}"
        self.t_indsats.add(
            pk,
            c.vurdering,
            service.ydelse.pk,
            service.tilbud.pk if service.tilbud else None,
            provider,
            konto,
            start,
            end,
        )
        ffb = [service.ffb[0]]
        if len(service.ffb) > 1 and rng.random() < 0.3:
            ffb.append(rng.choice(service.ffb[1:]))
        for ydelse in ffb:
            self.t_indsats_ydelser.add(pk, ydelse.pk)
        lines: list[dict[str, Any]] = []
        for ydelse in ffb:
            antal = Decimal(rng.randint(*p.antal))
            pris = Decimal(rng.randrange(p.pris[0], p.pris[1] + 1, 5))
            self.t_prislinje.add(pk, ydelse.pk, p.enhed, antal, p.frekvens, p.gentagelser, pris)
            lines.append(
                {
                    "ydelse": ydelse.navn,
                    "enhed": ENHED_LABELS[p.enhed],
                    "antal": f"{antal:.2f}",
                    "frekvens": FREKVENS_LABELS[p.frekvens],
                    "gentagelser": p.gentagelser,
                    "enhedspris": f"{pris:.2f}",
                    "beloeb": f"{antal * p.gentagelser * pris:.2f}",
                }
            )
        total = sum((Decimal(line["beloeb"]) for line in lines), Decimal(0))
        first_line = lines[0]
        omfang = (
            f"{first_line['antal'].removesuffix('.00')} {first_line['enhed'].lower()} pr. "
            f"{first_line['frekvens'].lower()}"
        )
        c.indsatser.append(
            {
                "id": pk,
                "service": service,
                "provider": provider,
                "omfang": omfang,
                "start": start,
                "content": {
                    "id": pk,
                    "ydelser": [y.navn for y in ffb],
                    "lovgrundlag": service.laws,
                    "kommunal_ydelse": service.ydelse.navn,
                    "tilbud": service.tilbud.navn if service.tilbud else "",
                    "udfoerer": self.org_name[provider],
                    "p_nummer": self.org_pnr[provider],
                    "start": start.isoformat(),
                    "slut": end.isoformat() if end else "",
                    "konto": konto,
                    "prislinjer": lines,
                    "pris": f"{total:.2f}",
                },
            }
        )

    def _afgoerelse(self, c: "CaseContext") -> None:
        rng = self.rng
        plan = c.plan
        refused = plan.get("route") == "afslag"
        decision, meddelt = plan["decision"], plan["meddelt"]
        truffet = c.day(decision)
        told = c.day(meddelt) if meddelt <= c.now else None
        botilbud = any(i["service"].profile.botilbud for i in c.indsatser)
        roll = rng.random()
        truffet_af = (
            "visitationsudvalg"
            if botilbud or roll < 0.1
            else "leder"
            if roll < 0.15
            else "sagsbehandler"
        )
        results: list[tuple[dict[str, Any], str]] = []
        for indsats in c.indsatser:
            result = "afslag" if refused else "delvist_afslag" if rng.random() < 0.1 else "bevilget"
            results.append((indsats, result))
        full = all(r == "bevilget" for _, r in results) and bool(results)
        pk = self.t_afgoerelse.new_id()
        c.afgoerelse, c.truffet = pk, truffet
        when = self.office(truffet)
        self.t_afgoerelse.add(
            pk,
            c.sag_id,
            c.vurdering,
            None,
            truffet_af,
            "skriftlig" if rng.random() < 0.95 else "mundtlig",
            truffet,
            told,
            full,
            ""
            if full
            else "Borgerens behov kan dækkes af en mindre omfattende indsats."
            if not refused
            else "Borgeren opfylder ikke betingelserne for ydelsen.",
            "" if full else "Servicelovens bestemmelse og kommunens kvalitetsstandard.",
            c.maalgruppe,
            self.deadline(told, 4, "uger") if told else None,
            when,
            c.caseworker,
        )
        self.audit(
            when,
            c.caseworker,
            "create",
            c.citizen.id,
            "assessment.Afgoerelse",
            pk,
            "Afgørelse truffet" + (" (fuldt medhold)" if full else ""),
        )
        for indsats, result in results:
            service: Service = indsats["service"]
            self.t_resultat.add(
                pk,
                indsats["id"],
                service.ydelse.pk,
                f"{service.ydelse.navn} ({service.profile.kode})",
                result,
                indsats["omfang"],
                indsats["start"],
                False,
            )
            if result != "afslag":
                c.granted.append(indsats)
        if truffet_af == "visitationsudvalg" and c.vurdering is not None:
            self._committee(c, truffet, refused)
        if told is not None:
            if rng.random() < 0.5:
                self._journal(c, meddelt, "afgoerelse")
            partly = any(r == "delvist_afslag" for _, r in results)
            if rng.random() < (0.25 if refused or partly else 0.02):
                self._klage(c, pk, told, results, can_change=partly)

    def _committee(self, c: "CaseContext", truffet: date, refused: bool) -> None:
        rng = self.rng
        moede = self._meeting_on_or_before(truffet)
        meeting_day = moede[1]
        pk = self.t_indstilling.new_id()
        self.t_indstilling.add(
            pk,
            c.sag_id,
            c.vurdering,
            "Sagsbehandleren indstiller afslag."
            if refused
            else "Sagsbehandleren indstiller, at indsatsen bevilges som beskrevet.",
            "afvist" if refused else "godkendt",
            self.office(meeting_day - timedelta(days=7)),
            c.caseworker,
        )
        udfald = self.udfald.get("Afvises og der meddeles afslag" if refused else "Godkendes")
        self.t_punkt.add(
            moede[0],
            c.sag_id,
            pk,
            udfald,
            "Udvalget følger indstillingen.",
            self.past(meeting_day, 14 * 60),
            rng.choice(self.members),
        )

    def _meeting_on_or_before(self, day: date) -> tuple[int, date]:
        """The committee's monthly meeting (second Tuesday) on or before `day`."""
        year, month = day.year, day.month
        while True:
            first = date(year, month, 1)
            tuesday = first + timedelta(days=(1 - first.weekday()) % 7 + 7)
            if tuesday <= day:
                break
            month -= 1
            if month == 0:
                year, month = year - 1, 12
        key = (tuesday.year, tuesday.month)
        pk = self.meetings.get(key)
        if pk is None:
            pk = Udvalgsmoede.objects.create(
                udvalg=self.udvalg, dato=tuesday, afsluttet=self.past(tuesday, 15 * 60)
            ).pk
            self.meetings[key] = pk
        return pk, tuesday

    def _klage(
        self,
        c: "CaseContext",
        afgoerelse: int,
        told: date,
        results: list[tuple[dict[str, Any], str]],
        *,
        can_change: bool,
    ) -> None:
        rng = self.rng
        limit = self.today if c.closed is None else c.day(c.closed)
        late = rng.random() < 0.05
        received = told + timedelta(days=rng.randint(30, 40) if late else rng.randint(3, 27))
        if received >= limit:
            return
        modtaget = self.office(received)
        due = self.deadline(received, 4, "uger")
        reassessed = received + timedelta(days=rng.randint(7, 30))
        genvurdering, ny, sendt, anke, anke_dato = "", None, None, "", None
        if reassessed < limit:
            changed = can_change and rng.random() < 0.35
            genvurdering = rng.choice(("medhold", "delvist_medhold")) if changed else "fastholdt"
            if changed:
                ny = self.t_afgoerelse.new_id()
                when = self.office(reassessed)
                self.t_afgoerelse.add(
                    ny,
                    c.sag_id,
                    c.vurdering,
                    afgoerelse,
                    "sagsbehandler",
                    "skriftlig",
                    reassessed,
                    reassessed,
                    genvurdering == "medhold",
                    "Genvurdering efter klage.",
                    "Servicelovens bestemmelse.",
                    c.maalgruppe,
                    self.deadline(reassessed, 4, "uger"),
                    when,
                    c.caseworker,
                )
                for indsats, _ in results:
                    service: Service = indsats["service"]
                    self.t_resultat.add(
                        ny,
                        indsats["id"],
                        service.ydelse.pk,
                        f"{service.ydelse.navn} ({service.profile.kode})",
                        "bevilget",
                        indsats["omfang"],
                        reassessed,
                        False,
                    )
            else:
                sent = reassessed + timedelta(days=rng.randint(1, 7))
                if sent < self.today:
                    sendt = sent
                    decided = sent + timedelta(days=rng.randint(60, 150))
                    if decided < self.today:
                        anke = Weighted(
                            {"stadfaestet": 70, "aendret": 15, "hjemvist": 10, "ophaevet": 5}
                        ).pick(rng)
                        anke_dato = decided
            status = "overholdt" if self.office(reassessed) <= due else "overskredet"
            closed: datetime | None = self.office(reassessed)
        elif c.closed is not None:
            status, closed = "annulleret", self.office(limit)
        else:
            status, closed = "aaben", None
        self.t_klage.add(
            c.sag_id,
            afgoerelse,
            modtaget,
            rng.choice(("skriftlig", "digital", "mundtlig")),
            "Jeg er ikke enig i afgørelsen og mener, at jeg har brug for mere støtte.",
            genvurdering,
            reassessed if genvurdering else None,
            ny,
            sendt,
            anke,
            anke_dato,
            c.caseworker,
        )
        self.audit(
            modtaget,
            c.caseworker,
            "create",
            c.citizen.id,
            "assessment.Klage",
            "",
            "Klage registreret" + (" (efter klagefristen)" if late else ""),
        )
        self.frist(
            c,
            "klage",
            "Genvurdering af afgørelsen efter klage",
            due,
            status,
            closed,
            "Genvurdering inden 4 uger efter modtagelsen af klagen",
            modtaget,
        )

    def _orders(self, c: "CaseContext") -> None:
        rng = self.rng
        plan = c.plan
        t_b, t_l = plan["t"][4], plan["t"][5]
        by_provider: dict[int, Order] = {}
        for indsats in c.granted:
            order = by_provider.setdefault(
                indsats["provider"], Order(indsats["provider"], [], [], [])
            )
            order.indsatser.append(indsats["content"])
            order.indsats_ids.append(indsats["id"])
        for goal in c.goals:
            if goal.provider in by_provider:
                by_provider[goal.provider].goals.append(goal)
        orders = [o for o in by_provider.values() if o.goals]
        if not orders:
            return
        sent = self.office(c.day(t_b))
        user = self.user_by_id[c.caseworker]
        sb = self.stoettebehov[c.stoettebehov][1] if c.stoettebehov is not None else ""
        opfoelgning = INTERVAL_LABELS.get(c.interval, "")
        for order in orders:
            others = [
                f"{', '.join(i['ydelser'])} ({i['udfoerer']})"
                for o in orders
                if o is not order
                for i in o.indsatser
            ]
            content = {
                "baggrund": {
                    "navn": f"{c.citizen.fornavn} {c.citizen.efternavn}",
                    "cpr": f"{c.citizen.cpr[:6]}-{c.citizen.cpr[6:]}",
                    "adresse": f"{c.citizen.adresse}, {c.citizen.postnummer} {c.citizen.by}",
                    "telefon": c.citizen.telefon,
                    "kontakter": c.citizen.kontakter,
                    "diagnoser": [
                        {"diagnose": d, "stillet_af": by, "dato": when.isoformat()}
                        for d, by, when in c.diagnoser
                    ],
                    "vaergemaal": Relation.Vaergemaalsform(c.citizen.vaerge).label
                    if c.citizen.vaerge
                    else "Nej",
                    "repraesentation": "Bisidder" if c.citizen.bisidder else "Nej",
                    "fuldmagt": "",
                    "bilag": Bestilling.Vedlaeg.INGEN.label,
                },
                "koordinering": {
                    "koordinerende_sagsbehandler": {
                        "navn": self.fullname[c.caseworker],
                        "telefon": user.telefon,
                        "email": user.email,
                        "team": c.citizen.team.navn,
                    },
                    "samarbejdspartnere": "",
                    "andre_indsatser": others,
                    "behov_for_koordinering": bool(others),
                },
                "fund": {
                    "situation": c.situation,
                    "stoettebehov": sb,
                    "perspektiv": "Borgeren ønsker støtte og vil gerne arbejde med målene.",
                    "ressourcer": "Borgeren er motiveret og har et godt forhold til sin familie.",
                    "maalgrupper": c.maalgrupper,
                },
                "oensker": rng.choice(WISHES),
                "indsatsformaal": c.formaal,
                "maal": [
                    {
                        "id": g.id,
                        "nr": g.nr,
                        "formulering": g.text,
                        "maaltype": g.maaltype,
                        "tema": g.undertema.navn,
                        "aktuelt_niveau": g.level,
                        "forventet_niveau": g.expected,
                        "opfoelgning": opfoelgning,
                        "udfoerer": self.org_name[order.provider],
                        "timer_pr_uge": str(g.timer) if g.timer is not None else "",
                    }
                    for g in order.goals
                ],
                "indsatser": order.indsatser,
                "opfoelgning": opfoelgning,
                "betaling": {
                    "ean": c.citizen.team.ean_nummer,
                    "handlekommune": "",
                    "betalingskommune": "",
                },
                "egenbetaling": "Ingen",
                "afgoerelse": {
                    "id": c.afgoerelse,
                    "truffet": c.truffet.isoformat() if c.truffet else "",
                },
                "pris_i_alt": f"{sum(Decimal(i['pris']) for i in order.indsatser):.2f}",
            }
            indhold = json.dumps(content, ensure_ascii=False)
            start = date.fromisoformat(order.indsatser[0]["start"])
            staff = self.org_staff[order.provider]
            if rng.random() < 0.04:
                service = next(i["service"] for i in c.granted if i["provider"] == order.provider)
                refusing = [p for p in service.providers if p != order.provider]
                if refusing:
                    self._refused_order(c, rng.choice(refusing), indhold, start, sent)
            pk = self.t_bestilling.new_id()
            order_state = self._order_state(c, t_b, t_l)
            status, received, answered = order_state
            if c.closed is not None and c.slutdato is None:
                c.slutdato = c.planned(c.closed + rng.randint(0, 30))
            slutdato = c.slutdato
            self.t_bestilling.add(
                pk,
                c.sag_id,
                order.provider,
                c.afgoerelse,
                1,
                status,
                start,
                slutdato,
                indhold,
                "ingen",
                sent,
                c.caseworker,
                received,
                answered,
                rng.choice(staff) if answered else None,
                "",
            )
            for goal in order.goals:
                self.t_bestilling_maal.add(pk, goal.id)
            for indsats_id in order.indsats_ids:
                self.t_bestilling_indsatser.add(pk, indsats_id)
            self.audit(
                sent,
                c.caseworker,
                "create",
                c.citizen.id,
                "orders.Bestilling",
                pk,
                f"Bestilling version 1 sendt til {self.org_name[order.provider]}",
            )
            if answered is not None:
                self.audit(
                    answered,
                    rng.choice(staff),
                    "update",
                    c.citizen.id,
                    "orders.Bestilling",
                    pk,
                    "Bestilling accepteret",
                )
            c.orders.append(order)

    def _order_state(
        self, c: "CaseContext", t_b: int, t_l: int
    ) -> tuple[str, datetime | None, datetime | None]:
        if c.reached == 4:
            if c.now - t_b >= 2 and self.rng.random() < 0.6:
                return "modtaget", self.office(c.day(t_b + 1)), None
            return "sendt", None, None
        received = self.office(c.day(t_b + 1))
        return "accepteret", received, self.office(c.day(t_l))

    def _refused_order(
        self, c: "CaseContext", provider: int, indhold: str, start: date, sent: datetime
    ) -> None:
        pk = self.t_bestilling.new_id()
        staff = self.rng.choice(self.org_staff[provider])
        answered = min(sent + timedelta(days=1), self.now)
        self.t_bestilling.add(
            pk,
            c.sag_id,
            provider,
            c.afgoerelse,
            1,
            "afvist",
            start,
            None,
            indhold,
            "ingen",
            sent,
            c.caseworker,
            answered,
            answered,
            staff,
            "Vi har ikke plads til borgeren før om tre måneder.",
        )
        self.audit(
            answered, staff, "update", c.citizen.id, "orders.Bestilling", pk, "Bestilling afvist"
        )

    def _delivery(self, c: "CaseContext") -> None:
        rng = self.rng
        t_l = c.plan["t"][5]
        end = c.now
        closed = c.closed is not None
        notes = self.t_notat
        for order in c.orders:
            staff = self.org_staff[order.provider]
            for goal in order.goals:
                for _ in range(self.small_count.pick(rng)):
                    created_at = t_l + rng.randint(3, 30)
                    if created_at > end:
                        continue
                    roll = rng.random()
                    if closed:
                        status = "naaet" if roll < 0.55 else "opgivet" if roll < 0.7 else "aktivt"
                    else:
                        status = (
                            "aktivt" if roll < 0.75 else "naaet" if roll < 0.95 else ("opgivet")
                        )
                    active_until = (
                        end
                        if status == "aktivt"
                        else created_at + int((end - created_at) * rng.uniform(0.3, 1.0))
                    )
                    pk = self.t_delmaal.new_id()
                    author = rng.choice(staff)
                    day = c.day(created_at)
                    when = self.office(day)
                    self.t_delmaal.add(
                        pk,
                        c.sag_id,
                        order.provider,
                        when,
                        author,
                        rng.choice(DELMAAL),
                        day + timedelta(days=rng.randint(90, 365)),
                        status,
                    )
                    self.t_delmaal_maal.add(pk, goal.id)
                    self.audit(
                        when,
                        author,
                        "create",
                        c.citizen.id,
                        "orders.Delmaal",
                        pk,
                        "Delmål oprettet",
                    )
                    span = active_until - created_at
                    count = min(80, int(span / NOTE_EVERY_DAYS * rng.uniform(0.5, 1.5)))
                    for _ in range(count):
                        note_day = min(day + timedelta(days=rng.randint(1, span)), self.today)
                        notes.add(
                            pk,
                            note_day,
                            rng.choice(NOTES),
                            self.past(note_day, 480 + rng.randrange(600)),
                            rng.choice(staff),
                        )
            if rng.random() < 0.3:
                for _ in range(rng.randint(1, 3)):
                    offset = rng.randint(t_l, max(t_l, end))
                    day = c.day(offset)
                    self.t_leveringsnotat.add(
                        c.sag_id,
                        order.provider,
                        self.office(day),
                        rng.choice(staff),
                        day,
                        rng.choice(PROVIDER_NOTES),
                    )
            botilbud = any(
                i["service"].profile.botilbud for i in c.granted if i["provider"] == order.provider
            )
            if rng.random() < (0.1 if botilbud else 0.005):
                for _ in range(rng.randint(1, 3)):
                    kind, text = rng.choice(FORCE)
                    day = c.day(rng.randint(t_l, max(t_l, end)))
                    when = self.office(day)
                    author = rng.choice(staff)
                    self.t_magt.add(c.sag_id, order.provider, when, author, when, kind, text)
                    self.audit(
                        when,
                        author,
                        "create",
                        c.citizen.id,
                        "orders.Magtanvendelse",
                        "",
                        "Magtanvendelse indberettet",
                    )
                    c.force = True

    def eod(self, day: date) -> datetime:
        """The last moment of `day` in local time."""
        return self.at(day, 0) + timedelta(hours=23, minutes=59, seconds=59, microseconds=999999)

    def _follow_ups(self, c: "CaseContext") -> None:
        plan = c.plan
        previous = plan["t"][5]
        held = plan["held"]
        for i, step in enumerate(held):
            final = c.closed is not None and i == len(held) - 1
            self._held_follow_up(c, i, step, previous, final=final)
            previous = step[2]
        if plan["current"] is not None:
            self._open_follow_up(c, len(held), plan["current"], previous)

    def _follow_up_row(
        self,
        c: "CaseContext",
        i: int,
        due: int,
        status: str,
        meeting: datetime | None,
        planned: int,
    ) -> int:
        rng = self.rng
        service: Service = c.plan["service"]
        p = service.profile
        if i == 0:
            grundlag = f"{p.kode}: første opfølgning senest {p.foerste} måneder efter start"
        else:
            grundlag = f"{p.kode}: opfølgning senest {p.interval} måneder efter sidste opfølgning"
        pk = self.t_opfoelgning.new_id()
        form = rng.choice(("moede", "moede", "moede", "telefon", "video")) if meeting else ""
        created = self.past(c.day(planned), 6 * 60)
        self.t_opfoelgning.add(
            pk,
            c.sag_id,
            c.planned(due),
            grundlag,
            c.orders[0].provider,
            status,
            meeting,
            form,
            f"Hos borgeren, {c.citizen.adresse}" if form == "moede" else "",
            "Borgeren, kontaktpersonen og sagsbehandleren" if meeting else "",
            created,
        )
        return pk

    def _statusnotat(self, c: "CaseContext", opfoelgning: int, sent: datetime) -> None:
        order = c.orders[0]
        pk = self.t_statusnotat.new_id()
        author = self.rng.choice(self.org_staff[order.provider])
        self.t_statusnotat.add(
            pk, opfoelgning, order.provider, "Ingen væsentlige ændringer.", sent, author, sent
        )
        for goal in order.goals:
            self.t_statusnotat_maal.add(
                pk,
                goal.id,
                "Borgeren arbejder stabilt med målet sammen med os.",
                "Målet er delvist opfyldt.",
            )
        self.audit(
            sent, author, "update", c.citizen.id, "followup.Statusnotat", pk, "Statusnotat sendt"
        )

    def _timeline(
        self,
        c: "CaseContext",
        opfoelgning: int,
        meeting_day: date,
        due: int,
        created: datetime,
        *,
        note: datetime | None,
        meeting: datetime | None,
        form_done: datetime | None,
    ) -> None:
        """The follow-up's four deadlines; each closed one is met when it was done (missed if
        done after its due time)."""
        note_due = self.eod(meeting_day - timedelta(days=14))
        meeting_due = self.eod(c.planned(due))
        form_due = self.eod(meeting_day + timedelta(days=14))
        provider = c.orders[0].provider

        def state(done: datetime | None, deadline: datetime) -> str:
            if done is None:
                return "aaben"
            return "overholdt" if done <= deadline else "overskredet"

        rows = [
            (
                "statusnotat",
                "Udførerens statusnotat til opfølgningen",
                note_due,
                note,
                "Senest 14 dage før opfølgningsmødet",
                provider,
            ),
            (
                "statusnotat_gennemgang",
                "Gennemgå statusnotatet (mødet kan aflyses, hvis det er utilstrækkeligt)",
                note_due,
                note + timedelta(hours=2) if note else None,
                "14 dage før opfølgningsmødet",
                None,
            ),
            (
                "opfoelgning",
                "Opfølgningsmøde",
                meeting_due,
                meeting,
                "Opfølgning efter kvalitetsstandarden",
                None,
            ),
            (
                "opfoelgningsskema",
                "Udfyld opfølgningsskemaet",
                form_due,
                form_done,
                "Senest 14 dage efter opfølgningsmødet",
                None,
            ),
        ]
        for art, beskrivelse, deadline, done, regel, udfoerer in rows:
            pk = self.frist(
                c,
                art,
                beskrivelse,
                deadline,
                state(done, deadline),
                done,
                regel,
                created,
                udfoerer=udfoerer,
            )
            self.t_opfoelgning_frister.add(opfoelgning, pk)

    def _held_follow_up(
        self, c: "CaseContext", i: int, step: tuple[int, int, int], previous: int, *, final: bool
    ) -> None:
        rng = self.rng
        due, held, completed = step
        held_day, done_day = c.day(held), c.day(completed)
        meeting = self.past(held_day, 9 * 60 + 30 * rng.randrange(12))
        opf = self._follow_up_row(c, i, due, "afsluttet", meeting, previous)
        note = self.office(
            held_day
            - timedelta(days=rng.randint(14, 20) if rng.random() < 0.92 else rng.randint(5, 13))
        )
        done = self.office(done_day)
        self._timeline(
            c,
            opf,
            held_day,
            due,
            self.past(c.day(previous), 6 * 60),
            note=note,
            meeting=meeting,
            form_done=done,
        )
        self._statusnotat(c, opf, note)
        self._skema(c, opf, held_day, done, final=final, next_due=due + c.plan["interval"])
        if not final:
            self._journal(c, completed, "opfoelgning")
        else:
            self._ending_decision(c, done_day)

    def _open_follow_up(
        self, c: "CaseContext", i: int, step: tuple[int, int, int], previous: int
    ) -> None:
        rng = self.rng
        due, held, _completed = step
        created = self.past(c.day(previous), 6 * 60)
        if c.plan["fase"] == Fase.OPFOELGNING:
            held_day = c.day(held)
            meeting = self.past(held_day, 9 * 60 + 30 * rng.randrange(12))
            opf = self._follow_up_row(c, i, due, "indkaldt", meeting, previous)
            note = self.office(held_day - timedelta(days=rng.randint(14, 20)))
            self._timeline(
                c, opf, held_day, due, created, note=note, meeting=meeting, form_done=None
            )
            self._statusnotat(c, opf, note)
            self._skema(c, opf, held_day, None, final=False, next_due=None)
            return
        called = held - c.now <= 30
        meeting_day = Seeder.weekday(c.start + timedelta(days=held if called else due))
        called_at = self.at(meeting_day, 10 * 60) if called else None
        opf = self._follow_up_row(
            c, i, due, "indkaldt" if called else "planlagt", called_at, previous
        )
        note_day = meeting_day - timedelta(days=14)
        sent: datetime | None = None
        if note_day < self.today and rng.random() < 0.7:
            sent = self.office(note_day - timedelta(days=rng.randint(0, 3)))
            self._statusnotat(c, opf, sent)
        self._timeline(c, opf, meeting_day, due, created, note=sent, meeting=None, form_done=None)

    def _skema(
        self,
        c: "CaseContext",
        opfoelgning: int,
        held_day: date,
        done: datetime | None,
        *,
        final: bool,
        next_due: int | None,
    ) -> None:
        rng = self.rng
        before = c.stoettebehov if c.stoettebehov is not None else 2
        after = min(4, max(0, before + rng.choice((-1, 0, 0, 0, 1))))
        pk = self.t_skema.new_id()
        complete = done is not None
        started = self.office(held_day)
        self.t_skema.add(
            pk,
            opfoelgning,
            "moede",
            "Borgeren, kontaktpersonen og sagsbehandleren",
            c.planned(next_due) if complete and not final and next_due is not None else None,
            (
                "Indsatsen ophører; målene er nået så langt, det er muligt."
                if final
                else "Indsatsen fortsætter uændret."
            )
            if complete
            else "",
            (self.status_afslut if final else self.status_fortsaet) if complete else None,
            self.stoettebehov[before][0],
            self.stoettebehov[after][0] if complete else None,
            True if complete else None,
            (rng.random() < 0.9) if complete else None,
            c.force if complete else None,
            "Magtanvendelserne er gennemgået med tilbuddet." if complete and c.force else "",
            "Borgeren får den støtte, der er bevilget, og trives." if complete else "",
            True if complete else None,
            True if complete else None,
            ("ophoer" if final else "fortsaet") if complete else "",
            done,
            c.caseworker if complete else None,
            done or started,
        )
        if not complete:
            self.audit(
                started,
                c.caseworker,
                "create",
                c.citizen.id,
                "followup.Opfoelgningsskema",
                pk,
                "Opfølgningsskema startet",
            )
        else:
            c.stoettebehov = after
            assert done is not None
            self.audit(
                done,
                c.caseworker,
                "update",
                c.citizen.id,
                "followup.Opfoelgningsskema",
                pk,
                "Opfølgning afsluttet: indsatsen " + ("ophører" if final else "fortsætter"),
            )
        for order in c.orders:
            for goal in order.goals:
                current = c.levels.get(goal.id, goal.level)
                new: int | None = None
                if complete or rng.random() < 0.5:
                    move: int = self.progress_pick[goal.maaltype].pick(rng)
                    new = min(4, max(0, current + move))
                self.t_skema_maal.add(
                    pk,
                    goal.id,
                    current,
                    goal.expected,
                    "Det går bedre, men jeg har stadig brug for hjælp." if new is not None else "",
                    "Borgeren arbejder godt med delmålene." if new is not None else "",
                    "Målet fastholdes." if new is not None else "",
                    new,
                    held_day if new is not None else None,
                    (self.fremad_afsluttes if final else self.fremad_uaendret)
                    if complete
                    else None,
                )
                if complete and new is not None and c.udredning is not None:
                    # The new level is also a dated score, so progression reads from one place.
                    score = self.t_score.new_id()
                    self.t_score.add(
                        score,
                        c.udredning,
                        goal.undertema.pk,
                        self.niveau[new],
                        held_day,
                        c.caseworker,
                        started,
                    )
                    c.levels[goal.id] = new

    def _ending_decision(self, c: "CaseContext", day: date) -> None:
        pk = self.t_afgoerelse.new_id()
        when = self.office(day)
        self.t_afgoerelse.add(
            pk,
            c.sag_id,
            c.vurdering,
            c.afgoerelse,
            "sagsbehandler",
            "skriftlig",
            day,
            day,
            False,
            "Målene er nået, og borgeren har ikke længere behov for indsatsen.",
            "Servicelovens bestemmelse og kommunens kvalitetsstandard.",
            c.maalgruppe,
            self.deadline(day, 4, "uger"),
            when,
            c.caseworker,
        )
        for indsats in c.granted:
            service: Service = indsats["service"]
            self.t_resultat.add(
                pk,
                indsats["id"],
                service.ydelse.pk,
                f"ophør af {service.ydelse.navn} ({service.profile.kode})",
                "afslag",
                "",
                c.slutdato or day,
                True,
            )
        self.audit(
            when,
            c.caseworker,
            "create",
            c.citizen.id,
            "assessment.Afgoerelse",
            pk,
            "Afgørelse truffet",
        )

    def _transitions(self, c: "CaseContext") -> None:
        plan = c.plan
        t = plan["t"]
        steps: list[tuple[str, int, str]] = []
        forward = [
            "start_sagsoplysning",
            "start_sagsvurdering",
            "start_afgoerelse",
            "start_bestilling",
            "start_levering",
        ]
        for k, name in enumerate(forward, start=1):
            if c.reached >= k:
                steps.append((name, t[k], ""))
        held = list(plan["held"])
        for i, (_due, held_at, completed) in enumerate(held):
            steps.append(("start_opfoelgning", held_at, ""))
            if not (c.closed is not None and i == len(held) - 1):
                steps.append(("fortsaet_levering", completed, ""))
        if plan["fase"] == Fase.OPFOELGNING and plan["current"] is not None:
            steps.append(("start_opfoelgning", plan["current"][1], ""))
        if c.closed is not None:
            route = plan["route"]
            reason = CLOSE_REASONS.get(route, "Indsatsen er ophørt efter opfølgningen.")
            steps.append(("afslut", c.closed, reason))
            if self.rng.random() < 0.7:
                self._journal(c, c.closed, "afslut")
        clock = c.oprettet
        fase = Fase.SAGSAABNING
        for name, offset, reason in steps:
            when = self.office(c.day(offset))
            if when <= clock:  # the same day as the step before: a little later
                when = min(clock + timedelta(minutes=5), self.now)
            clock = when
            if name == "afslut":
                label, fra, til = "Afslut sagen", fase, Fase.AFSLUTTET
            else:
                label, fra, til = TRANSITIONS[name]
            self.t_overgang.add(c.sag_id, name, fra, til, c.caseworker, when, reason)
            self.audit(
                when,
                c.caseworker,
                "transition",
                c.citizen.id,
                "cases.Sag",
                c.sag_id,
                f"{label}: {Fase(fra).label} → {Fase(til).label}",
            )
            fase = til
        c.fase_skiftet = clock
        # The caseworker's last look at the case (reads are audited too).
        self.audit(clock, c.caseworker, "view", c.citizen.id, "cases.Sag", c.sag_id, "Sag vist")


class CaseContext:
    """What the steps of one case share."""

    def __init__(self, seeder: Seeder, citizen: Citizen, plan: dict[str, Any]) -> None:
        self.citizen = citizen
        self.plan = plan
        self.sag_id = seeder.t_sag.new_id()
        self.caseworker = seeder.rng.choice(seeder.caseworkers[seeder.team_index[citizen.team.pk]])
        self.start: date = plan["start"]
        self.closed: int | None = plan["closed"]
        self.now: int = plan["age"] if self.closed is None else self.closed
        if self.closed is None:
            self.reached = PHASE_ORDER.index(plan["fase"])
        else:
            self.reached = {"sagsaabning": 0, "sagsoplysning": 1, "afslag": 3, "levering": 6}[
                plan["route"]
            ]
        self.decided = self.reached >= 4 or (
            self.reached == 3 and (plan.get("route") == "afslag" or self.now >= plan["decision"])
        )
        self.today = seeder.today
        self.diagnoser: list[tuple[str, str, date]] = []
        self.udredning: int | None = None
        self.scores: list[tuple[Undertema, int, int]] = []
        self.vurdering: int | None = None
        self.stoettebehov: int | None = None
        self.interval = ""
        self.situation = ""
        self.formaal = ""
        self.maalgruppe: int | None = None
        self.maalgrupper: list[str] = []
        self.indsatser: list[dict[str, Any]] = []
        self.goals: list[Goal] = []
        self.afgoerelse: int | None = None
        self.truffet: date | None = None
        self.granted: list[dict[str, Any]] = []
        self.orders: list[Order] = []
        self.levels: dict[int, int] = {}
        self.force = False
        self.slutdato: date | None = None
        self.oprettet = seeder.now
        self.fase_skiftet: datetime | None = None

    def day(self, offset: int) -> date:
        """The weekday `offset` days after the enquiry, when something happened (never after
        today)."""
        return min(self.planned(offset), self.today)

    def planned(self, offset: int) -> date:
        """The weekday `offset` days after the enquiry, for what is due or planned (may lie
        ahead)."""
        return Seeder.weekday(self.start + timedelta(days=offset))


def seed(
    *, borgere: int, seed: int, log: Callable[[str], None], check_at_end: bool | None = None
) -> dict[str, int]:
    return Seeder(borgere=borgere, seed=seed, log=log, check_at_end=check_at_end).run()
