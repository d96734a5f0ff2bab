"""factory_boy factories with traits for the roles and the states a case can be in."""

from datetime import date

import factory
from django.utils import timezone

from assessment.models import (
    Dagsordenspunkt,
    Sagsvurdering,
    TemaOplysning,
    Udredning,
    Udvalgsmoede,
    Visitationsudvalg,
)
from cases.models import Borger, Henvendelse, Journalnotat, Relation, Sag, Sagsaabning, Samtykke
from orders.models import Bestilling
from vum.accounts.models import Organisation, Role, Team, User
from vum.catalog.models import Kategori, Tema

PASSWORD = "Korrekt-hest-batteri-1"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("slug",)

    navn = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    navn = factory.Sequence(lambda n: f"Udfører {n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A caseworker in one new team unless a trait says otherwise."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"bruger{n}")
    first_name = factory.Faker("first_name", locale="da_DK")
    last_name = factory.Faker("last_name", locale="da_DK")
    role = Role.SAGSBEHANDLER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def teams(self, create: bool, extracted: list[Team] | None, **kwargs: object) -> None:
        if not create:
            return
        if extracted is not None:
            self.teams.set(extracted)
        elif self.role in (Role.SAGSBEHANDLER, Role.LEDER):
            self.teams.add(TeamFactory())
        self.save()

    class Params:
        leder = factory.Trait(role=Role.LEDER)
        udfoerer = factory.Trait(
            role=Role.UDFOERER, organisation=factory.SubFactory(OrganisationFactory)
        )
        udvalgsmedlem = factory.Trait(role=Role.VISITATIONSUDVALG)
        administrator = factory.Trait(role=Role.ADMINISTRATOR, is_staff=True)


def _cpr(n: int) -> str:
    # Valid dates in 1950-1999 with a seventh digit that gives the 1900s.
    day = 1 + n % 28
    month = 1 + (n // 28) % 12
    year = 50 + (n // 336) % 50
    return f"{day:02d}{month:02d}{year:02d}{1000 + n % 9000:04d}"


class BorgerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Borger

    cpr = factory.Sequence(_cpr)
    fornavn = factory.Faker("first_name", locale="da_DK")
    efternavn = factory.Faker("last_name", locale="da_DK")
    adresse = factory.Faker("street_address", locale="da_DK")
    postnummer = "8900"
    by = "Randers C"


class SagFactory(factory.django.DjangoModelFactory):
    """A case in sagsåbning with its sagsåbning record. Traits make it ready to move on."""

    class Meta:
        model = Sag
        skip_postgeneration_save = True

    borger = factory.SubFactory(BorgerFactory)
    team = factory.SubFactory(TeamFactory)
    sagsbehandler = None
    aarsag = "Borgeren ønsker støtte i eget hjem."

    @factory.post_generation
    def aabning_ready(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        """Sagsåbning record; with `aabning_ready=True` every sagsåbning guard holds."""
        ready = bool(extracted)
        Sagsaabning.objects.create(
            sag=self,
            informeret_om_elektronisk_registrering=True if ready else None,
            borger_indforstaaet=True if ready else None,
        )
        if ready:
            self.formaal_versioner.create(
                formaal="Afklare behovet for støtte i eget hjem.",
                oprettet_af=self.sagsbehandler or UserFactory(teams=[self.team]),
            )


def sag_in_phase(fase: str, **kwargs: object) -> Sag:
    """A case put straight into a phase, bypassing the guards (for tests about a later phase)."""
    sag = SagFactory(**kwargs)
    Sag.objects.filter(pk=sag.pk).update(fase=fase)
    return Sag.objects.get(pk=sag.pk)


class HenvendelseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Henvendelse

    borger = factory.SubFactory(BorgerFactory)
    kilde = Henvendelse.Kilde.BORGER
    aarsag = "Borgeren ringer om støtte."
    team = factory.SubFactory(TeamFactory)
    triage = Henvendelse.Triage.SAG
    registreret_af = factory.SubFactory(UserFactory)
    # The test's frozen day (tests/clock.py): an enquiry received "today", whatever today is.
    modtaget = factory.LazyFunction(timezone.localdate)


class JournalnotatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Journalnotat

    sag = factory.SubFactory(SagFactory)
    emne = "Telefonsamtale"
    tekst = "Borgeren ringede."
    forfatter = factory.SubFactory(UserFactory)
    underskrift = "Test"


class VisitationsudvalgFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visitationsudvalg

    navn = factory.Sequence(lambda n: f"Visitationsudvalg {n}")


def put_on_agenda(sag: Sag, member: User) -> Dagsordenspunkt:
    udvalg = VisitationsudvalgFactory()
    udvalg.medlemmer.add(member)
    # A meeting on the test's frozen day (tests/clock.py), so the case is on today's agenda.
    moede = Udvalgsmoede.objects.create(udvalg=udvalg, dato=timezone.localdate())
    return Dagsordenspunkt.objects.create(moede=moede, sag=sag)


class BestillingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bestilling

    sag = factory.SubFactory(SagFactory)
    udfoerer = factory.SubFactory(OrganisationFactory)
    status = Bestilling.Status.ACCEPTERET
    startdato = factory.LazyFunction(lambda: date(2020, 1, 1))
    slutdato = None


class TemaFactory(factory.django.DjangoModelFactory):
    """A theme of a small test catalog; tests that need the whole FFB catalog load it instead."""

    class Meta:
        model = Tema

    slug = factory.Sequence(lambda n: f"tema-{n}")
    navn = factory.Sequence(lambda n: f"Tema {n}")
    version = "test"
    gyldig_fra = date(2020, 1, 1)
    kategori = factory.LazyFunction(
        lambda: Kategori.objects.get_or_create(
            slug="funktioner-og-forhold",
            version="test",
            defaults={"navn": "Funktioner og forhold", "gyldig_fra": date(2020, 1, 1)},
        )[0]
    )


def inform_a_theme(sag: Sag) -> TemaOplysning:
    """An udredning with one informed theme: what sagsvurdering needs from sagsoplysning."""
    actor = sag.sagsbehandler or UserFactory(teams=[sag.team])
    udredning = Udredning.objects.create(sag=sag, oprettet_af=actor)
    return TemaOplysning.objects.create(
        udredning=udredning, tema=TemaFactory(), fra_borgeren="Borgeren fortæller om sin hverdag."
    )


class SamtykkeFactory(factory.django.DjangoModelFactory):
    """A written consent given today, registered by `registreret_af`. Traits: to pass on to a
    provider (`til_tilbud`, with `tilbud`) or to the new acting municipality
    (`til_ny_handlekommune`)."""

    class Meta:
        model = Samtykke

    sag = factory.SubFactory(SagFactory)
    retning = Samtykke.Retning.INDHENTELSE
    part = Samtykke.Part.HOSPITAL
    form = Samtykke.Form.SKRIFTLIGT
    givet = factory.LazyFunction(timezone.localdate)
    registreret_af = factory.SubFactory(UserFactory)

    class Params:
        til_tilbud = factory.Trait(
            retning=Samtykke.Retning.VIDEREGIVELSE, part=Samtykke.Part.TILBUD
        )
        til_ny_handlekommune = factory.Trait(
            retning=Samtykke.Retning.VIDEREGIVELSE,
            part=Samtykke.Part.NY_HANDLEKOMMUNE,
            specifikation="Aarhus Kommune",
        )


class RelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relation

    borger = factory.SubFactory(BorgerFactory)
    type = Relation.Type.PAAROERENDE
    navn = factory.Faker("name", locale="da_DK")


def assess_as_refusal(sag: Sag) -> Sagsvurdering:
    """A finished sagsvurdering that refuses: the shortest assessment a decision may rest on."""
    return Sagsvurdering.objects.create(
        sag=sag,
        oprettet_af=sag.sagsbehandler or UserFactory(teams=[sag.team]),
        vurdering_af_situation="Borgeren klarer sin hverdag med hjælp fra familien.",
        berettiget=False,
        berettigelse_begrundelse="Borgerens funktionsnedsættelse giver ikke behov for støtten.",
        borgerens_behov_vurderet="Borgeren ønsker hjælp til rengøring; det klarer familien.",
    )
