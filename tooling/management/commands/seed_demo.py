"""`manage.py seed_demo`: demo teams, users for every role, and the Mads case from the handbook.

Idempotent: reference data and users are fetched or created by a natural key, passwords are set
only on users this run creates, and the Mads case is opened only when his CPR number is not yet
registered. So running it twice changes nothing the second time.

The case is opened through the services in `cases.services`, exactly as a caseworker would open it,
so the access policy, validation and audit trail all apply. Mads applies for the § 85 service of
the deployment's municipality (settings.VUM_MUNICIPALITY: Randers' R-85 mestringsvejledning, or
Viborg's V-85) as a new application, so the case carries a processing deadline from the catalog.
It lives in `followup`, the last phase app, because it wires every phase together and the imports
must run one way.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from assessment.models import Afgoerelse, Visitationsudvalg
from assessment.services.afgoerelse import Resultatlinje, afgoerelse_create, afgoerelse_send
from assessment.services.udredning import funktionsevne_score, tema_oplysning_save, udredning_start
from assessment.services.udvalg import udvalgsmoeder_plan
from assessment.services.vurdering import (
    indsats_add,
    maal_add,
    maalgrupper_set,
    prislinje_add,
    sagsvurdering_start,
    sagsvurdering_update,
    stoettebehov_set,
)
from cases.models import (
    Aftale,
    Diagnose,
    EksisterendeOplysning,
    Henvendelse,
    Relation,
    Sag,
    Sagsaabning,
    Samtykke,
)
from cases.services.borger import borger_create, relation_create
from cases.services.henvendelse import henvendelse_register
from cases.services.sag import journalnotat_create, sag_transition
from cases.services.sagsaabning import (
    formaal_set,
    sagsaabning_row_add,
    sagsaabning_update,
    samtykke_register,
)
from followup.dashboard.refresh import noegletal_refresh
from followup.services.opfoelgning import opfoelgning_plan
from orders.services.bestilling import bestilling_accept, bestillinger_send
from orders.services.levering import delmaal_create, delmaalsnotat_add
from vum.access import administrator_permissions
from vum.accounts.models import Organisation, Role, Team, User
from vum.audit.context import RequestOrigin, current_origin
from vum.catalog.loading import load_all
from vum.catalog.models import (
    Ansoegningstype,
    KommunalYdelse,
    Maalgruppe,
    Maaltype,
    Tema,
    Tilbudstype,
    Undertema,
    Ydelse,
)
from vum.catalog.selectors import kommunale_ydelser
from vum.deadlines.models import Frist

# One password for every demo user, printed at the end. Demo data only: never seed a real
# deployment with it.
DEMO_PASSWORD = "vum-demo-2026"  # noqa: S105

TEAMS = [
    ("handicap", "Handicap"),
    ("psykiatri", "Psykiatri"),
    ("saerlig-social-indsats", "Særlig Social Indsats"),
]
X_HUS = "Socialpædagogisk opholdssted X-Hus"
# Made-up billing details, so that the demo's bestilling can be fetched as a FHIR OrderMessage
# (which needs the payer's EAN and account): not a real EAN or account.
DEMO_EAN = "5790000000005"
DEMO_ACCOUNT = "5.38.45-demo"
VISITATIONSUDVALGET = "Visitationsudvalget"

# A made-up CPR number, chosen for the fixture: 14 March 2006 with a seventh digit of 4, which
# the CPR rules place in the 2000s, so Mads is about 20 (old enough to have left a placement
# made at 17½). It belongs to no real person as far as we know; the modulus-11 check was dropped
# by the CPR office in 2007, so it is not applied.
MADS_CPR = "1403064117"
# Made up like Mads': 9 July 2003, seventh digit 4 (the 2000s).
LIAM_CPR = "0907034123"

# What Mads applies for: socialpædagogisk støtte (SEL § 85) in the deployment's municipality,
# by the service's code in that municipality's catalog.
SECTION_85_CODES = {"randers": "R-85", "viborg": "V-85"}


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: Role
    titel: str
    teams: tuple[str, ...] = ()
    organisation: str | None = None
    is_staff: bool = False


DEMO_USERS = [
    DemoUser(
        "sagsbehandler",
        "Sara",
        "Lund",
        Role.SAGSBEHANDLER,
        "Socialrådgiver, Handicap",
        teams=("handicap",),
    ),
    DemoUser(
        "psykiatri",
        "Jonas",
        "Bak",
        Role.SAGSBEHANDLER,
        "Socialrådgiver, Psykiatri",
        teams=("psykiatri",),
    ),
    DemoUser(
        "udfoerer",
        "Henrik",
        "Dahl",
        Role.UDFOERER,
        "Pædagog, X-Hus",
        organisation=X_HUS,
    ),
    DemoUser(
        "visitation",
        "Birgitte",
        "Krogh",
        Role.VISITATIONSUDVALG,
        "Medlem af Visitationsudvalget",
    ),
    DemoUser(
        "leder",
        "Lone",
        "Vestergaard",
        Role.LEDER,
        "Afdelingsleder, Handicap og Psykiatri",
        teams=("handicap", "psykiatri"),
    ),
    DemoUser(
        "oekonomi",
        "Maja",
        "Friis",
        Role.OEKONOMI,
        "Økonomikonsulent, Socialafdelingen",
    ),
    DemoUser(
        "admin",
        "Anders",
        "Holt",
        Role.ADMINISTRATOR,
        "Systemadministrator",
        is_staff=True,
    ),
]


class Command(BaseCommand):
    help = (
        "Opretter demodata: teams, brugere for alle roller, sagen om Mads fra metodehåndbogen og "
        "Liam, der får støtte fra X-Hus."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # Audit events written by the services carry this instead of a browser's address.
        token = current_origin.set(RequestOrigin(ip_address=None, user_agent="manage.py seed_demo"))
        try:
            with transaction.atomic():
                load_all()  # the reference data (FFB and the municipal catalogs), idempotent
                teams = self._teams()
                x_hus, _ = Organisation.objects.get_or_create(
                    navn=X_HUS, defaults={"adresse": "Skovvej 12, 8900 Randers C"}
                )
                users = {u.username: self._user(u, teams, x_hus) for u in DEMO_USERS}
                udvalg, _ = Visitationsudvalg.objects.get_or_create(navn=VISITATIONSUDVALGET)
                udvalg.medlemmer.add(users["visitation"])
                # The nightly task's job, done now so that the demo's committee has its meetings.
                udvalgsmoeder_plan(udvalg=udvalg)
                sag, created = self._mads(users["sagsbehandler"], teams["handicap"])
                liam = self._liam(users["sagsbehandler"], users["udfoerer"], teams["handicap"])
        finally:
            current_origin.reset(token)
        self._report(users, sag, created)
        self.stdout.write(
            f"Liams sag (levering hos {X_HUS}): sag {liam.pk}, {liam.get_fase_display()}."
        )
        # The leader's dashboard reads pre-aggregated figures; build them now, not at the
        # first scheduled run.
        noegletal_refresh()

    def _teams(self) -> dict[str, Team]:
        return {
            slug: Team.objects.get_or_create(
                slug=slug, defaults={"navn": navn, "ean_nummer": DEMO_EAN}
            )[0]
            for slug, navn in TEAMS
        }

    def _user(self, spec: DemoUser, teams: dict[str, Team], x_hus: Organisation) -> User:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User(
                username=spec.username,
                first_name=spec.first_name,
                last_name=spec.last_name,
                email=f"{spec.username}@vum.example.dk",
                role=spec.role,
                titel=spec.titel,
                organisation=x_hus if spec.organisation else None,
                is_staff=spec.is_staff,
            )
            user.set_password(DEMO_PASSWORD)
            user.full_clean()
            user.save()
        # Memberships are added, never replaced, so an administrator's later changes survive.
        user.teams.add(*(teams[slug] for slug in spec.teams))
        if spec.role == Role.ADMINISTRATOR:
            user.user_permissions.add(*administrator_permissions())
        return user

    def _mads(self, sb: User, handicap: Team) -> tuple[Sag, bool]:
        """Open the Mads case (scenarios.md) as the Handicap caseworker, if not already there."""
        existing = Sag.objects.filter(borger__cpr=MADS_CPR).order_by("pk").first()
        if existing is not None:
            return existing, False
        paragraf_85 = self._section_85()

        today = timezone.localdate()
        # The demo is anchored to the day it is seeded, so that nothing lies in the future that
        # must not (enquiry, consent, note) and the agreed home visit is still ahead. The handbook's
        # own dates (the August diagnosis, the 3 September visit) are kept where they are in the
        # past by construction: the speciallæge's diagnosis is dated the most recent 15 August.
        modtaget = today - timedelta(days=14)
        august = date(today.year, 8, 15)
        if august > today:
            august = date(today.year - 1, 8, 15)

        # Surname, address and contact details are not in the handbook: fixture choices.
        mads = borger_create(
            actor=sb,
            cpr=MADS_CPR,
            fornavn="Mads",
            efternavn="Holm",
            adresse="Vestergade 7, 1. th.",
            postnummer="8900",
            by="Randers C",
            telefon="20 45 67 89",
        )
        relation_create(
            actor=sb,
            borger=mads,
            # The handbook gives representation "Bisidder" and the fuldmagt to his mother; we
            # register her as that bisidder (a choice: it names no other supporter).
            type=Relation.Type.BISIDDER,
            navn="Malene Holm",
            relation="mor",
            telefon="30 12 34 56",
            fuldmagt=(
                "Mads har givet sin mor fuldmagt til at tale med kommunen og modtage kopi af "
                "breve i sagen om støtte efter serviceloven."
            ),
            gyldig_fra=modtaget,
        )
        relation_create(
            actor=sb,
            borger=mads,
            type=Relation.Type.PAAROERENDE,
            navn="Torben Holm",  # the father's name is not in the handbook: a choice
            relation="far",
            telefon="40 98 76 54",
        )

        henvendelse = henvendelse_register(
            actor=sb,
            borger=mads,
            kilde=Henvendelse.Kilde.ANDRE,
            kilde_navn="FGU / Rusmiddelcenter",
            kilde_kontakt="Kontaktlærer på FGU Randers og rådgiver på Rusmiddelcenter Randers",
            aarsag=(
                "FGU og Rusmiddelcenteret henvender sig om Mads, der ryger hash dagligt, har "
                "svært ved at klare sin lejlighed og er ved at falde fra sin uddannelse. Mads var "
                "anbragt fra 17½ år (SEL § 66, stk. 5). De vurderer, at han har brug for støtte "
                "i eget hjem."
            ),
            team=handicap,
            triage=Henvendelse.Triage.SAG,
            modtaget=modtaget,
            # The § 85 application starts the processing deadline, counted from this enquiry.
            kommunal_ydelse=paragraf_85,
            ansoegningstype=Ansoegningstype.NY,
        )
        sag = henvendelse.sag
        assert sag is not None  # triage "sag" always opens one

        sagsaabning_update(
            actor=sb,
            sag=sag,
            borger_indforstaaet=True,
            borger_orienteret_dato=modtaget + timedelta(days=2),
            oensker_for_fremtiden=(
                "Jeg vil gerne stoppe med at ryge hash og have mere styr på det hele…"
            ),
            vaergemaal=False,
            vaerge_undersoeges=False,
            informeret_om_bisidder=True,
            repraesenteret=True,
            repraesentationsform=Sagsaabning.Repraesentationsform.BISIDDER,
            fuldmagt="Fuldmagt til moderen, Malene Holm.",
            informeret_om_elektronisk_registrering=True,
            samtykke_relevant=True,
            helhedssyn_vejledt=True,
            helhedssyn_hvilke="Rusmiddelcenterets ambulante behandling og FGU's vejledning.",
        )
        formaal_set(
            actor=sb,
            sag=sag,
            # The handbook gives only the analysis question; the purpose is phrased from it.
            formaal=(
                "At afdække Mads' ressourcer og udfordringer, så vi sammen kan finde den støtte, "
                "der hjælper ham videre med misbrug, bolig og uddannelse."
            ),
            analysespoergsmaal=(
                "Hvilken støtte er nødvendig, for at Mads kan komme ud af sit misbrug, klare sig "
                "selv i egen bolig og gennemføre en uddannelse?"
            ),
        )

        # The handbook does not date the child psychiatry diagnoses: a choice, when he was 13.
        bupl_date = date(2019, 5, 14)
        for diagnose, icd10, stillet_af, dato in [
            ("Tourettes syndrom", "F 95.2", "Børne- og ungdomspsykiatrisk hus", bupl_date),
            (
                "Adfærds- og emotionel forstyrrelse",
                "F 92.9",
                "Børne- og ungdomspsykiatrisk hus",
                bupl_date,
            ),
            ("Eksekutive vanskeligheder", "F 83.9", "Speciallæge", august),
        ]:
            sagsaabning_row_add(
                actor=sb,
                sag=sag,
                model=Diagnose,
                diagnose=diagnose,
                icd10=icd10,
                stillet_af=stillet_af,
                dato=dato,
            )
        sagsaabning_row_add(
            actor=sb,
            sag=sag,
            model=EksisterendeOplysning,
            type=EksisterendeOplysning.Type.INDSATS,
            beskrivelse="Anbragt uden for hjemmet fra 17½ år",
            paragraf="SEL § 66, stk. 5",
        )

        samtykke_register(
            actor=sb,
            sag=sag,
            retning=Samtykke.Retning.INDHENTELSE,
            part=Samtykke.Part.SPECIALLAEGE,
            specifikation="Speciallægens udredning af eksekutive vanskeligheder",
            form=Samtykke.Form.SKRIFTLIGT,  # the handbook does not say which form: a choice
            givet=modtaget + timedelta(days=2),
        )
        besoeg = timezone.make_aware(datetime.combine(today + timedelta(days=10), time(10, 0)))
        sagsaabning_row_add(
            actor=sb,
            sag=sag,
            model=Aftale,
            tidspunkt=besoeg,
            sted="Hjemme hos Mads, Vestergade 7, Randers C",
            deltagere="Mads, Malene Holm (mor) og Sara Lund (sagsbehandler)",
            emne="Hjemmebesøg",
        )
        journalnotat_create(
            actor=sb,
            sag=sag,
            dato=modtaget + timedelta(days=2),
            emne="Telefonsamtale med Mads og hans mor",
            tekst=(
                "Mads er indforstået med, at sagen påbegyndes, og er orienteret om, at hans "
                "oplysninger registreres elektronisk. Han ønsker sin mor, Malene, med som bisidder "
                "og har givet hende fuldmagt. Han har givet skriftligt samtykke til, at vi "
                "indhenter speciallægens udredning. Han fortæller, at han er opereret i "
                "håndleddet. Vi har aftalt et hjemmebesøg, hvor hans mor deltager."
            ),
        )
        return sag, True

    def _liam(self, sb: User, udfoerer: User, handicap: Team) -> Sag:
        """A second citizen whose § 85 support from X-Hus is under way, so that the provider's
        workspace has someone in it: the handbook's Liam example (delivery, seed 000 3.6), taken
        through udredning, sagsvurdering, decision and bestilling with the real services, with its
        first follow-up planned."""
        existing = Sag.objects.filter(borger__cpr=LIAM_CPR).order_by("pk").first()
        if existing is not None:
            return existing
        today = timezone.localdate()
        liam = borger_create(
            actor=sb,
            cpr=LIAM_CPR,
            fornavn="Liam",
            efternavn="Skov",
            adresse="Nørregade 3, st.",
            postnummer="8900",
            by="Randers C",
        )
        henvendelse = henvendelse_register(
            actor=sb,
            borger=liam,
            kilde=Henvendelse.Kilde.BORGER,
            aarsag="Liam ønsker hjælp til en fast døgnrytme, så han kan passe sin uddannelse.",
            team=handicap,
            triage=Henvendelse.Triage.SAG,
            modtaget=today - timedelta(days=70),
            kommunal_ydelse=self._section_85(),
            ansoegningstype=Ansoegningstype.NY,
        )
        sag = henvendelse.sag
        assert sag is not None
        sagsaabning_update(
            actor=sb,
            sag=sag,
            informeret_om_elektronisk_registrering=True,
            oensker_for_fremtiden="Jeg vil gerne kunne stå op om morgenen og nå min uddannelse.",
        )
        formaal_set(actor=sb, sag=sag, formaal="Afklare Liams behov for støtte i hverdagen.")
        sag = sag_transition(actor=sb, sag=sag, name="start_sagsoplysning")
        udredning = udredning_start(actor=sb, sag=sag)
        tema_oplysning_save(
            actor=sb,
            udredning=udredning,
            tema=Tema.objects.current().get(navn="Egenomsorg"),
            fra_borgeren="Jeg sover om dagen og kommer for sent til skolen.",
        )
        goals = [
            ("Jeg har en fast døgnrytme og når min bus om morgenen", "Varetage egen sundhed", 3, 1),
            ("Jeg laver selv min mad i hverdagene", "Lave mad", 2, 1),
        ]
        for _text, sub, level, _expected in goals:
            funktionsevne_score(
                actor=sb,
                udredning=udredning,
                undertema=Undertema.objects.current().get(navn=sub),
                vaerdi=level,
            )
        sag = sag_transition(actor=sb, sag=sag, name="start_sagsvurdering")
        vurdering = sagsvurdering_start(actor=sb, sag=sag)
        sagsvurdering_update(
            actor=sb,
            vurdering=vurdering,
            vurdering_af_situation="Liam mangler struktur i hverdagen og falder fra uddannelsen.",
            indsatsformaal="Jeg gennemfører min uddannelse og klarer min hverdag selv.",
            samme_opfoelgning_for_alle_maal=True,
            faelles_opfoelgning="3_maaneder",
            berettiget=True,
            berettigelse_begrundelse="Nedsat funktionsevne; behov for støtte efter § 85.",
            handleplan_tilbudt=True,
            handleplan_oensket=False,
        )
        x_hus = udfoerer.organisation
        for text, sub, _level, expected in goals:
            maal_add(
                actor=sb,
                vurdering=vurdering,
                maalformulering=text,
                maaltype=Maaltype.objects.current().get(navn="Udvikle funktionsevne"),
                primaert_undertema=Undertema.objects.current().get(navn=sub),
                forventet_niveau=expected,
                udfoerer=x_hus,
                timer_pr_uge=Decimal(2),
            )
        stoettebehov_set(actor=sb, vurdering=vurdering, vaerdi=2)
        paragraf_85 = self._section_85()
        hjem = Ydelse.objects.current().get(navn="Støtte til daglige opgaver i hjemmet")
        indsats = indsats_add(
            actor=sb,
            vurdering=vurdering,
            ydelser=[hjem],
            kommunal_ydelse=paragraf_85,
            tilbudstype=Tilbudstype.objects.current().get(navn="Mobilt tilbud"),
            udfoerer=x_hus,
            forventet_start=today - timedelta(days=20),
            konto=DEMO_ACCOUNT,
        )
        prislinje_add(
            actor=sb,
            indsats=indsats,
            ydelse=hjem,
            enhed="time",
            antal_pr_periode=Decimal(4),
            frekvens="uge",
            gentagelser=26,
            enhedspris=Decimal(500),
        )
        maalgrupper_set(
            actor=sb,
            vurdering=vurdering,
            primaer=Maalgruppe.objects.current().get(
                navn="Anden intellektuel/kognitiv forstyrrelse"
            ),
        )
        sag = sag_transition(actor=sb, sag=sag, name="start_afgoerelse")
        afgoerelse = afgoerelse_create(
            actor=sb,
            sag=sag,
            truffet_af=Afgoerelse.TruffetAf.SAGSBEHANDLER,
            form=Afgoerelse.Form.SKRIFTLIG,
            fuldt_medhold=True,
            truffet=today - timedelta(days=30),
            resultater=[
                Resultatlinje(
                    beskrivelse="socialpædagogisk støtte efter servicelovens § 85",
                    resultat="bevilget",
                    omfang="4 timer om ugen",
                    virkningsdato=today - timedelta(days=20),
                    indsats=indsats,
                    kommunal_ydelse=paragraf_85,
                )
            ],
        )
        afgoerelse_send(actor=sb, afgoerelse=afgoerelse, tekster={})
        sag = sag_transition(actor=sb, sag=sag, name="start_bestilling")
        (bestilling,) = bestillinger_send(actor=sb, afgoerelse=afgoerelse)
        bestilling_accept(actor=udfoerer, bestilling=bestilling)
        bestilling.refresh_from_db()
        first_goal = vurdering.maal.get(raekkefoelge=1)
        for text in [
            "Jeg går i seng kl. 22 på hverdage",
            "Jeg står op kl. 6.30 og når bussen kl. 7.25",
        ]:
            delmaal = delmaal_create(
                actor=udfoerer, bestilling=bestilling, formulering=text, indsatsmaal=[first_goal]
            )
        delmaalsnotat_add(
            actor=udfoerer,
            bestilling=bestilling,
            delmaal=delmaal,
            tekst="Liam nåede bussen tre ud af fem dage i denne uge.",
        )
        # The first follow-up with its timeline: the provider calls the meeting and writes the
        # statusnotat, the caseworker fills in the form.
        opfoelgning_plan(actor=sb, sag=sag)
        return Sag.objects.get(pk=sag.pk)

    def _section_85(self) -> KommunalYdelse:
        """The current § 85 service of the deployment's municipality, from the loaded catalog."""
        municipality = settings.VUM_MUNICIPALITY
        code = SECTION_85_CODES.get(municipality)
        if code is None:
            raise CommandError(
                f"seed_demo kender ikke § 85-ydelsen for VUM_MUNICIPALITY={municipality!r}; "
                f"kendte kommuner: {', '.join(sorted(SECTION_85_CODES))}."
            )
        try:
            ydelse = kommunale_ydelser().filter(kode=code).first()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        if ydelse is None:
            raise CommandError(
                f"Kataloget for {municipality!r} har ingen gældende ydelse med koden {code!r} "
                "(§ 85), som Mads' sag skal ansøge om. Kør 'manage.py load_catalog'."
            )
        return ydelse

    def _report(self, users: dict[str, User], sag: Sag, created: bool) -> None:
        out = self.stdout
        if created:
            out.write(
                self.style.SUCCESS(
                    f"Mads' sag er oprettet (sag {sag.pk}, {sag.get_fase_display()})."
                )
            )
            frist = sag.frister.open().filter(art=Frist.Art.SAGSBEHANDLINGSFRIST).first()
            if frist is not None:
                out.write(f"  {frist} ({frist.regel})")
        else:
            out.write(f"Mads' sag findes allerede (sag {sag.pk}); intet ændret.")
        out.write("")
        out.write("Demo-logins (samme adgangskode for alle):")
        out.write(f"  {'brugernavn':<15} {'rolle':<60} adgangskode")
        for spec in DEMO_USERS:
            user = users[spec.username]
            if user.organisation is not None:
                where = user.organisation.navn
            elif spec.role == Role.VISITATIONSUDVALG:
                where = VISITATIONSUDVALGET
            else:
                where = " + ".join(t.navn for t in user.teams.order_by("navn"))
            role = user.get_role_display() + (f", {where}" if where else "")
            out.write(f"  {user.username:<15} {role:<60} {DEMO_PASSWORD}")
