"""Consent and journal notes over the API."""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from cases.models import Journalnotat, Sag, Samtykke
from tests.factories import JournalnotatFactory, OrganisationFactory, SagFactory, UserFactory
from vum.accounts.models import User
from vum.audit.models import AuditAction, AuditEvent

Api = Callable[[User | None], APIClient]

# The consents are given and withdrawn in the first months of 2024 and recorded in June.
pytestmark = [pytest.mark.django_db, pytest.mark.now("2024-06-03 10:00")]


@pytest.fixture
def sag(caseworker: User) -> Sag:
    return SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)


class TestSamtykker:
    def test_register_list_and_withdraw(self, api: Api, caseworker: User, sag: Sag) -> None:
        client = api(caseworker)
        url = f"/api/v1/sager/{sag.pk}/samtykker/"
        created = client.post(
            url,
            {
                "retning": "indhentelse",
                "part": "egen_laege",
                "specifikation": "Lægehuset Nørregade",
                "form": "skriftligt",
                "givet": "2024-03-01",
            },
            format="json",
        )
        assert created.status_code == 201
        assert created.data["aktiv"] is True
        pk = created.data["id"]

        listed = client.get(url)
        assert [row["id"] for row in listed.data["results"]] == [pk]
        assert AuditEvent.objects.filter(
            action=AuditAction.VIEW, summary="Samtykker vist", borger_id=sag.borger_id
        ).exists()

        early = client.post(f"{url}{pk}/tilbagekald/", {"tilbagekaldt": "2024-02-01"})
        assert early.status_code == 400
        assert early.data["tilbagekaldt"] == [
            "Et samtykke kan ikke tilbagekaldes før det er givet."
        ]
        withdrawn = client.post(
            f"{url}{pk}/tilbagekald/",
            {"tilbagekaldt": "2024-04-01", "begrundelse": "Borgeren ringede."},
            format="json",
        )
        assert withdrawn.status_code == 200
        assert withdrawn.data["aktiv"] is False
        again = client.post(f"{url}{pk}/tilbagekald/", {"tilbagekaldt": "2024-04-02"})
        assert again.status_code == 400
        assert again.data["detail"] == ["Samtykket er allerede tilbagekaldt."]
        assert (
            AuditEvent.objects.filter(
                action=AuditAction.UPDATE, object_type="cases.Samtykke", object_id=str(pk)
            ).count()
            == 1
        )

    def test_a_consent_to_share_names_the_tilbud_itself(
        self, api: Api, caseworker: User, sag: Sag
    ) -> None:
        tilbud = OrganisationFactory(navn="Bostedet Åen")
        url = f"/api/v1/sager/{sag.pk}/samtykker/"
        body = {"retning": "videregivelse", "part": "tilbud", "form": "skriftligt"}
        client = api(caseworker)
        created = client.post(
            url, {**body, "tilbud": tilbud.pk, "givet": "2024-03-01"}, format="json"
        )
        assert created.status_code == 201, created.data
        assert created.data["tilbud"] == tilbud.pk
        assert created.data["beskrivelse"] == "Videregivelse til tilbud (Bostedet Åen)"
        wrong_part = client.post(
            url,
            {**body, "part": "hospital", "tilbud": tilbud.pk, "givet": "2024-03-01"},
            format="json",
        )
        assert wrong_part.status_code == 400
        assert "tilbud" in wrong_part.data
        unknown = client.post(url, {**body, "tilbud": 10**9, "givet": "2024-03-01"}, format="json")
        assert unknown.status_code == 400
        assert "tilbud" in unknown.data

    def test_future_consent_is_400(self, api: Api, caseworker: User, sag: Sag) -> None:
        response = api(caseworker).post(
            f"/api/v1/sager/{sag.pk}/samtykker/",
            {
                "retning": "videregivelse",
                "part": "tilbud",
                "form": "mundtligt",
                "givet": "2999-01-01",
            },
            format="json",
        )
        assert response.status_code == 400
        assert response.data["givet"] == ["Et samtykke kan ikke være givet i fremtiden."]

    def test_consent_of_another_case_is_404(self, api: Api, caseworker: User, sag: Sag) -> None:
        other = SagFactory(team=sag.team)
        samtykke = Samtykke.objects.create(
            sag=other,
            retning="indhentelse",
            part="hospital",
            form="skriftligt",
            givet="2024-01-01",
            registreret_af=caseworker,
        )
        client = api(caseworker)
        # Reached through the wrong case, the consent does not exist.
        assert client.get(f"/api/v1/sager/{sag.pk}/samtykker/{samtykke.pk}/").status_code == 404
        assert (
            client.post(
                f"/api/v1/sager/{sag.pk}/samtykker/{samtykke.pk}/tilbagekald/",
                {"tilbagekaldt": "2024-02-01"},
            ).status_code
            == 404
        )

    def test_withdraw_by_read_only_user_is_404(self, api: Api, sag: Sag) -> None:
        samtykke = Samtykke.objects.create(
            sag=sag,
            retning="indhentelse",
            part="hospital",
            form="skriftligt",
            givet="2024-01-01",
            registreret_af=sag.sagsbehandler,
        )
        leder = UserFactory(leder=True, teams=[sag.team])
        response = api(leder).post(
            f"/api/v1/sager/{sag.pk}/samtykker/{samtykke.pk}/tilbagekald/",
            {"tilbagekaldt": "2024-02-01"},
        )
        assert response.status_code == 404
        samtykke.refresh_from_db()
        assert samtykke.tilbagekaldt is None


class TestJournalnotater:
    def url(self, sag: Sag) -> str:
        return f"/api/v1/sager/{sag.pk}/journalnotater/"

    def test_write_read_and_correct(self, api: Api, caseworker: User, sag: Sag) -> None:
        client = api(caseworker)
        created = client.post(
            self.url(sag),
            {"emne": "Telefonsamtale", "tekst": "Borgeren ringede om mødet."},
            format="json",
        )
        assert created.status_code == 201
        assert created.data["forfatter"] == caseworker.pk
        assert created.data["underskrift"].startswith(caseworker.get_full_name())
        original = created.data["id"]

        correction = client.post(
            self.url(sag),
            {"emne": "Telefonsamtale", "tekst": "Rettelse: mødet er den 12.", "retter": original},
            format="json",
        )
        assert correction.status_code == 201
        assert correction.data["retter"] == original
        shown = client.get(f"{self.url(sag)}{original}/")
        assert shown.data["rettet_af"] == correction.data["id"]
        assert AuditEvent.objects.filter(
            action=AuditAction.VIEW, object_type="cases.Journalnotat", object_id=str(original)
        ).exists()

        twice = client.post(
            self.url(sag), {"emne": "X", "tekst": "Y", "retter": original}, format="json"
        )
        assert twice.status_code == 400
        assert twice.data["retter"] == ["Notatet er allerede rettet; ret det nyeste notat."]

        listed = client.get(self.url(sag))
        assert listed.data["count"] == 2
        assert (
            AuditEvent.objects.filter(
                action=AuditAction.CREATE, object_type="cases.Journalnotat"
            ).count()
            == 2
        )

    def test_correcting_a_note_of_another_case_is_400(
        self, api: Api, caseworker: User, sag: Sag
    ) -> None:
        elsewhere = JournalnotatFactory(sag=SagFactory(team=sag.team))
        response = api(caseworker).post(
            self.url(sag), {"emne": "X", "tekst": "Y", "retter": elsewhere.pk}, format="json"
        )
        assert response.status_code == 400
        assert "retter" in response.data
        assert not Journalnotat.objects.filter(sag=sag).exists()

    @pytest.mark.parametrize("method", ["put", "patch", "delete"])
    def test_notes_cannot_be_edited_or_deleted(
        self, api: Api, caseworker: User, sag: Sag, method: str
    ) -> None:
        notat = JournalnotatFactory(sag=sag, forfatter=caseworker)
        client = api(caseworker)
        response = getattr(client, method)(
            f"{self.url(sag)}{notat.pk}/", {"tekst": "Ændret"}, format="json"
        )
        assert response.status_code == 405
        notat.refresh_from_db()
        assert notat.tekst == "Borgeren ringede."

    def test_blank_text_is_400(self, api: Api, caseworker: User, sag: Sag) -> None:
        response = api(caseworker).post(self.url(sag), {"emne": "", "tekst": ""}, format="json")
        assert response.status_code == 400
        assert set(response.data) == {"emne", "tekst"}
