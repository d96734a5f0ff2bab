"""Cases over the API: list filters, detail, sagsåbning, formål and phase changes."""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from cases.lifecycle import Fase
from cases.models import Formaal, Henvendelse, Overgang, Sag
from tests.factories import HenvendelseFactory, SagFactory, UserFactory, sag_in_phase
from vum.accounts.models import Team, User
from vum.audit.models import AuditAction, AuditEvent

Api = Callable[[User | None], APIClient]

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(caseworker: User) -> Team:
    return caseworker.teams.get()


def test_list_filters_and_audits_each_case(api: Api, caseworker: User, team: Team) -> None:
    mine = SagFactory(team=team, sagsbehandler=caseworker)
    colleague = UserFactory(teams=[team])
    theirs = sag_in_phase(Fase.SAGSOPLYSNING, team=team, sagsbehandler=colleague)
    SagFactory()  # another team's case, never listed
    client = api(caseworker)

    everything = client.get("/api/v1/sager/")
    assert {row["id"] for row in everything.data["results"]} == {mine.pk, theirs.pk}
    assert set(
        AuditEvent.objects.filter(action=AuditAction.LIST).values_list("borger_id", flat=True)
    ) == {mine.borger_id, theirs.borger_id}

    by_fase = client.get("/api/v1/sager/", {"fase": "sagsoplysning"})
    assert [row["id"] for row in by_fase.data["results"]] == [theirs.pk]
    by_sagsbehandler = client.get("/api/v1/sager/", {"sagsbehandler": caseworker.pk})
    assert [row["id"] for row in by_sagsbehandler.data["results"]] == [mine.pk]
    by_team = client.get("/api/v1/sager/", {"team": team.pk})
    assert by_team.data["count"] == 2
    assert client.get("/api/v1/sager/", {"fase": "ukendt"}).status_code == 400


def test_list_shows_masked_cpr(api: Api, caseworker: User, team: Team) -> None:
    sag = SagFactory(team=team)
    row = api(caseworker).get("/api/v1/sager/").data["results"][0]
    assert row["borger_cpr"] == sag.borger.cpr_masked


def test_detail_has_sagsaabning_formaal_and_transitions(
    api: Api, caseworker: User, team: Team
) -> None:
    sag = SagFactory(team=team, sagsbehandler=caseworker)
    response = api(caseworker).get(f"/api/v1/sager/{sag.pk}/")
    assert response.status_code == 200
    assert response.data["fase"] == "sagsaabning"
    assert response.data["sagsaabning"]["klar_sag"] is False
    assert response.data["sagsaabning"]["informeret_om_elektronisk_registrering"] is None
    assert response.data["formaal"] is None
    options = {t["name"]: t for t in response.data["transitions"]}
    assert set(options) == {"start_sagsoplysning", "start_sagsvurdering", "afslut"}
    assert options["start_sagsoplysning"]["available"] is False
    assert (
        "Formålet med udredningen er ikke fastlagt."
        in (options["start_sagsoplysning"]["blocked_by"])
    )
    assert options["afslut"]["reason_required"] is True
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="cases.Sag", object_id=str(sag.pk)
    ).exists()


def test_sagsaabning_patch_updates_and_audits(api: Api, caseworker: User, team: Team) -> None:
    sag = SagFactory(team=team)
    response = api(caseworker).patch(
        f"/api/v1/sager/{sag.pk}/sagsaabning/",
        {"informeret_om_elektronisk_registrering": True, "handlekommune": "Viborg Kommune"},
        format="json",
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200
    assert response.data["informeret_om_elektronisk_registrering"] is True
    sag.sagsaabning.refresh_from_db()
    assert sag.sagsaabning.handlekommune == "Viborg Kommune"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, borger_id=sag.borger_id)
    assert set(event.changes) == {"informeret_om_elektronisk_registrering", "handlekommune"}


def test_sagsaabning_patch_rules_come_from_the_model(
    api: Api, caseworker: User, team: Team
) -> None:
    sag = SagFactory(team=team)
    client = api(caseworker)
    response = client.patch(
        f"/api/v1/sager/{sag.pk}/sagsaabning/",
        {"vaergemaal": True},
        format="json",
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 400
    assert response.data["vaergemaalsform"] == [
        "Angiv værgemålets form, når borgeren har værgemål."
    ]
    bad_choice = client.patch(
        f"/api/v1/sager/{sag.pk}/sagsaabning/",
        {"vaergemaalsform": "par9"},
        format="json",
        headers={"If-Match": '"1"'},
    )
    assert bad_choice.status_code == 400
    assert "vaergemaalsform" in bad_choice.data


def test_formaal_versions(api: Api, caseworker: User, team: Team) -> None:
    sag = SagFactory(team=team)
    client = api(caseworker)
    url = f"/api/v1/sager/{sag.pk}/formaal/"

    empty = client.post(url, {"formaal": "   "}, format="json")
    assert empty.status_code == 400
    assert empty.data["formaal"]  # DRF refuses a blank text before the service sees it

    assert client.post(url, {"formaal": "Afklare boligbehov."}, format="json").status_code == 201
    second = client.post(
        url,
        {"formaal": "Afklare boligbehov og beskæftigelse.", "analysespoergsmaal": "Hvad virker?"},
        format="json",
    )
    assert second.status_code == 201
    assert Formaal.objects.filter(sag=sag).count() == 2

    history = client.get(url)
    assert [v["formaal"] for v in history.data] == [
        "Afklare boligbehov og beskæftigelse.",
        "Afklare boligbehov.",
    ]
    detail = client.get(f"/api/v1/sager/{sag.pk}/")
    assert detail.data["formaal"]["analysespoergsmaal"] == "Hvad virker?"
    actions = list(
        AuditEvent.objects.filter(object_type="cases.Formaal")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [AuditAction.CREATE, AuditAction.UPDATE]


class TestTransitions:
    def url(self, sag: Sag, name: str) -> str:
        return f"/api/v1/sager/{sag.pk}/transitions/{name}/"

    def test_options_endpoint(self, api: Api, caseworker: User, team: Team) -> None:
        sag = SagFactory(team=team, aabning_ready=True)
        response = api(caseworker).get(f"/api/v1/sager/{sag.pk}/transitions/")
        assert response.status_code == 200
        available = {t["name"]: t["available"] for t in response.data}
        assert available["start_sagsoplysning"] is True
        assert available["start_sagsvurdering"] is False  # not a klar sag

    def test_success_moves_logs_and_audits(self, api: Api, caseworker: User, team: Team) -> None:
        sag = SagFactory(team=team, aabning_ready=True)
        response = api(caseworker).post(
            self.url(sag, "start_sagsoplysning"),
            {"expected_fase": "sagsaabning"},
            format="json",
        )
        assert response.status_code == 200
        assert response.data["fase"] == "sagsoplysning"
        assert {t["name"] for t in response.data["transitions"]} == {
            "start_sagsvurdering",
            "afslut",
        }
        overgang = Overgang.objects.get(sag=sag)
        assert (overgang.fra_fase, overgang.til_fase) == ("sagsaabning", "sagsoplysning")
        assert overgang.udfoert_af == caseworker
        assert AuditEvent.objects.filter(
            action=AuditAction.TRANSITION, borger_id=sag.borger_id
        ).exists()

    def test_unknown_transition_is_404(self, api: Api, caseworker: User, team: Team) -> None:
        sag = SagFactory(team=team)
        response = api(caseworker).post(self.url(sag, "flyv_til_maanen"), {}, format="json")
        assert response.status_code == 404
        assert response.data["detail"] == "Overgangen 'flyv_til_maanen' findes ikke."

    def test_blocked_is_409_with_reasons(self, api: Api, caseworker: User, team: Team) -> None:
        sag = SagFactory(team=team)
        HenvendelseFactory(borger=sag.borger, sag=sag, team=team, kilde=Henvendelse.Kilde.LAEGE)
        response = api(caseworker).post(self.url(sag, "start_sagsoplysning"), {}, format="json")
        assert response.status_code == 409
        assert response.data["detail"] == "'Start sagsoplysning' er ikke mulig endnu."
        assert response.data["reasons"] == [
            "Borgeren er ikke registreret som informeret om elektronisk registrering.",
            "Henvendelsen kom ikke fra borgeren selv: borgeren skal være indforstået med, "
            "at sagen påbegyndes.",
            "Formålet med udredningen er ikke fastlagt.",
        ]
        sag.refresh_from_db()
        assert sag.fase == Fase.SAGSAABNING

    def test_stale_expected_fase_is_409(self, api: Api, caseworker: User, team: Team) -> None:
        sag = sag_in_phase(Fase.SAGSOPLYSNING, team=team, aabning_ready=True)
        response = api(caseworker).post(
            self.url(sag, "afslut"),
            {"begrundelse": "Borgeren er fraflyttet.", "expected_fase": "sagsaabning"},
            format="json",
        )
        assert response.status_code == 409
        assert "i mellemtiden flyttet til sagsoplysning" in response.data["detail"]
        sag.refresh_from_db()
        assert sag.fase == Fase.SAGSOPLYSNING

    def test_wrong_phase_is_409(self, api: Api, caseworker: User, team: Team) -> None:
        sag = SagFactory(team=team)
        response = api(caseworker).post(self.url(sag, "start_afgoerelse"), {}, format="json")
        assert response.status_code == 409
        assert response.data["detail"] == (
            "'Gå til afgørelse' er ikke mulig, når sagen er i sagsåbning."
        )

    def test_missing_reason_is_400(self, api: Api, caseworker: User, team: Team) -> None:
        sag = SagFactory(team=team)
        response = api(caseworker).post(
            self.url(sag, "afslut"), {"begrundelse": "  "}, format="json"
        )
        assert response.status_code == 400
        assert response.data["begrundelse"] == ["'Afslut sagen' kræver en begrundelse."]

    def test_reason_is_logged(self, api: Api, caseworker: User, team: Team) -> None:
        sag = SagFactory(team=team)
        response = api(caseworker).post(
            self.url(sag, "afslut"), {"begrundelse": "Borgeren ønsker ikke hjælp."}, format="json"
        )
        assert response.status_code == 200
        assert response.data["fase"] == "afsluttet"
        assert Overgang.objects.get(sag=sag).begrundelse == "Borgeren ønsker ikke hjælp."

    def test_invalid_expected_fase_is_400(self, api: Api, caseworker: User, team: Team) -> None:
        sag = SagFactory(team=team, aabning_ready=True)
        response = api(caseworker).post(
            self.url(sag, "start_sagsoplysning"), {"expected_fase": "fase9"}, format="json"
        )
        assert response.status_code == 400
        assert "expected_fase" in response.data
