"""Citizens over the API: create, validate, read, search, update, relations, and the audit."""

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from cases.models import Borger, Relation
from tests.factories import BorgerFactory, SagFactory, UserFactory
from vum.accounts.models import User
from vum.audit.models import AuditAction, AuditEvent
from vum.audit.redaction import marker

Api = Callable[[User | None], APIClient]

pytestmark = pytest.mark.django_db


def new_borger(client: APIClient, cpr: str) -> object:
    return client.post(
        "/api/v1/borgere/",
        {"cpr": cpr, "fornavn": " Bente ", "efternavn": "Hansen", "postnummer": "8900"},
        format="json",
    )


def test_create_normalises_cpr_and_audits(api: Api, caseworker: User) -> None:
    response = new_borger(api(caseworker), "020345 2345")
    assert response.status_code == 201
    assert response.data["cpr"] == "020345-2345"
    assert response.data["fornavn"] == "Bente"
    borger = Borger.objects.get(pk=response.data["id"])
    assert borger.cpr == "0203452345"
    event = AuditEvent.objects.get(borger_id=borger.pk, action=AuditAction.CREATE)
    assert event.actor == caseworker
    assert event.changes["cpr"]["new"] == marker("0203452345")  # never the CPR number itself


@pytest.mark.parametrize(
    ("cpr", "message"),
    [
        ("010190123", "Et CPR-nummer består af 10 cifre (DDMMÅÅ-XXXX)."),
        ("3102901234", "CPR-nummeret indeholder ikke en gyldig fødselsdato."),
    ],
)
def test_invalid_cpr_is_400_with_danish_message(
    api: Api, caseworker: User, cpr: str, message: str
) -> None:
    response = new_borger(api(caseworker), cpr)
    assert response.status_code == 400
    assert response.data["cpr"] == [message]
    assert not Borger.objects.exists()


def test_duplicate_cpr_is_400(api: Api, caseworker: User) -> None:
    BorgerFactory(cpr="0101901234")
    response = new_borger(api(caseworker), "010190-1234")
    assert response.status_code == 400
    assert response.data["cpr"] == ["Der findes allerede en borger med dette CPR-nummer."]
    assert Borger.objects.count() == 1


def test_missing_name_is_400(api: Api, caseworker: User) -> None:
    response = api(caseworker).post("/api/v1/borgere/", {"cpr": "0101901234"}, format="json")
    assert response.status_code == 400
    assert set(response.data) == {"fornavn", "efternavn"}


def test_list_masks_cpr_and_audits_each_citizen_in_one_insert(
    api: Api,
    caseworker: User,
    django_assert_max_num_queries: Any,
) -> None:
    borgere = [SagFactory(team=caseworker.teams.get()).borger for _ in range(5)]
    client = api(caseworker)
    # Count, page, and the LIST events for the page in one INSERT (not one per citizen).
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/borgere/")
    assert response.status_code == 200
    assert {row["cpr"] for row in response.data["results"]} == {b.cpr_masked for b in borgere}
    events = AuditEvent.objects.filter(actor=caseworker, action=AuditAction.LIST)
    assert sorted(e.borger_id for e in events) == sorted(b.pk for b in borgere)


def test_list_audits_only_the_page_returned(api: Api, caseworker: User) -> None:
    # One more than a page (PAGE_SIZE = 50), each with a case in the caseworker's team.
    SagFactory.create_batch(51, team=caseworker.teams.get())
    client = api(caseworker)
    first = client.get("/api/v1/borgere/")
    assert first.data["count"] == 51
    assert len(first.data["results"]) == 50
    assert AuditEvent.objects.filter(action=AuditAction.LIST).count() == 50
    second = client.get("/api/v1/borgere/", {"page": 2})
    assert len(second.data["results"]) == 1
    assert AuditEvent.objects.filter(action=AuditAction.LIST).count() == 51


def test_detail_shows_full_cpr_and_visible_cases_and_audits(api: Api, caseworker: User) -> None:
    team = caseworker.teams.get()
    mine = SagFactory(team=team)
    theirs = SagFactory(borger=mine.borger)  # another team's case about the same citizen
    response = api(caseworker).get(f"/api/v1/borgere/{mine.borger_id}/")
    assert response.status_code == 200
    assert response.data["cpr"] == mine.borger.cpr_formatted
    assert [s["id"] for s in response.data["sager"]] == [mine.pk]
    assert theirs.pk not in [s["id"] for s in response.data["sager"]]
    assert AuditEvent.objects.filter(
        actor=caseworker, action=AuditAction.VIEW, borger_id=mine.borger_id
    ).exists()


def test_unknown_citizen_is_404(api: Api, caseworker: User) -> None:
    assert api(caseworker).get("/api/v1/borgere/999999/").status_code == 404


def test_search_by_name_and_by_cpr_is_audited(api: Api, caseworker: User) -> None:
    bente = BorgerFactory(fornavn="Bente", efternavn="Kjær", cpr="1503521234")
    BorgerFactory(fornavn="Jørn", efternavn="Madsen")
    client = api(caseworker)

    purpose = {"formaal": "ny-henvendelse"}
    no_purpose = client.get("/api/v1/borgere/", {"q": "bente"})
    assert no_purpose.status_code == 400
    assert no_purpose.data == {"formaal": ["Angiv formålet med søgningen."]}
    by_name = client.get("/api/v1/borgere/", {"q": "bente", **purpose})
    assert [row["id"] for row in by_name.data["results"]] == [bente.pk]
    by_cpr = client.get("/api/v1/borgere/", {"q": "150352-1234", **purpose})
    assert [row["id"] for row in by_cpr.data["results"]] == [bente.pk]
    # Outside the caseworker's cases: identification only.
    assert set(by_cpr.data["results"][0]) == {
        "id",
        "cpr",
        "fornavn",
        "efternavn",
        "navn",
        "foedselsdato",
        "adgang",
    }
    assert by_cpr.data["results"][0]["cpr"] == "150352-****"
    assert by_cpr.data["results"][0]["adgang"] is False
    assert client.get(f"/api/v1/borgere/{bente.pk}/").status_code == 404

    searches = AuditEvent.objects.filter(actor=caseworker, action=AuditAction.SEARCH)
    assert searches.count() == 2
    assert searches.filter(borger_id=bente.pk).count() == 1  # the CPR search names the citizen
    assert not any("1234" in str(e.changes) for e in searches)  # the CPR is logged masked
    assert AuditEvent.objects.filter(action=AuditAction.LIST, borger_id=bente.pk).count() == 2
    assert all(e.changes["formaal"] == "ny-henvendelse" for e in searches)


def test_search_is_for_caseworkers_only(api: Api) -> None:
    leder = UserFactory(leder=True)
    assert api(leder).get("/api/v1/borgere/", {"q": "Bente"}).status_code == 404


def test_patch_changes_contact_details_and_audits(api: Api, caseworker: User) -> None:
    borger = BorgerFactory(telefon="", oprettet_af=caseworker)
    response = api(caseworker).patch(
        f"/api/v1/borgere/{borger.pk}/",
        {"telefon": "86 42 00 00"},
        format="json",
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200
    assert response.data["telefon"] == "86 42 00 00"
    assert response["ETag"] == '"2"'
    event = AuditEvent.objects.get(borger_id=borger.pk, action=AuditAction.UPDATE)
    assert event.changes == {"telefon": {"old": "", "new": marker("86 42 00 00")}}


def test_patch_cannot_change_cpr_and_validates_postnummer(api: Api, caseworker: User) -> None:
    borger = BorgerFactory(cpr="0101901234", oprettet_af=caseworker)
    client = api(caseworker)
    url = f"/api/v1/borgere/{borger.pk}/"
    response = client.patch(url, {"cpr": "0202902345"}, format="json", headers={"If-Match": "*"})
    # The CPR field is not part of the update body, so it is ignored, never written.
    assert response.status_code == 200
    borger.refresh_from_db()
    assert borger.cpr == "0101901234"
    bad = client.patch(url, {"postnummer": "89x0"}, format="json", headers={"If-Match": "*"})
    assert bad.status_code == 400
    assert bad.data["postnummer"] == ["Et postnummer består af 4 cifre."]


def test_put_is_not_allowed(api: Api, caseworker: User) -> None:
    borger = BorgerFactory()
    response = api(caseworker).put(f"/api/v1/borgere/{borger.pk}/", {"fornavn": "X"}, format="json")
    assert response.status_code == 405


def test_relations_register_and_list(api: Api, caseworker: User) -> None:
    borger = BorgerFactory(oprettet_af=caseworker)
    client = api(caseworker)
    url = f"/api/v1/borgere/{borger.pk}/relationer/"

    missing_form = client.post(url, {"type": "vaerge", "navn": "Karen Holm"}, format="json")
    assert missing_form.status_code == 400
    assert missing_form.data["vaergemaalsform"] == ["Angiv værgemålets form."]

    created = client.post(
        url,
        {"type": "vaerge", "navn": "Karen Holm", "vaergemaalsform": "par5"},
        format="json",
    )
    assert created.status_code == 201
    assert Relation.objects.get(borger=borger).navn == "Karen Holm"
    assert AuditEvent.objects.filter(
        borger_id=borger.pk, action=AuditAction.CREATE, object_type="cases.Relation"
    ).exists()

    listed = client.get(url)
    assert [r["navn"] for r in listed.data] == ["Karen Holm"]
    assert AuditEvent.objects.filter(
        borger_id=borger.pk, action=AuditAction.VIEW, summary="Relationer vist"
    ).exists()


def test_relations_of_citizen_out_of_scope_are_404(api: Api) -> None:
    borger = BorgerFactory()
    provider = UserFactory(udfoerer=True)
    assert api(provider).get(f"/api/v1/borgere/{borger.pk}/relationer/").status_code == 404
    assert (
        api(provider)
        .post(f"/api/v1/borgere/{borger.pk}/relationer/", {"type": "bisidder", "navn": "A"})
        .status_code
        == 404
    )


def test_a_plain_list_is_not_the_whole_register() -> None:
    from rest_framework.test import APIClient

    from tests.factories import BorgerFactory, SagFactory, UserFactory

    own = SagFactory()
    other_team = SagFactory()
    no_case = BorgerFactory()
    caseworker = UserFactory(teams=[own.team])
    client = APIClient()
    client.force_authenticate(caseworker)
    listed = {row["id"] for row in client.get("/api/v1/borgere/").data["results"]}
    assert listed == {own.borger_id}
    search = {"q": no_case.cpr, "formaal": "ny-henvendelse"}
    found = client.get("/api/v1/borgere/", search).data["results"]
    assert [row["id"] for row in found] == [no_case.pk]  # search still reaches the register
    assert other_team.borger_id not in listed
    assert client.get(f"/api/v1/borgere/{other_team.borger_id}/").status_code == 404
    assert client.get(f"/api/v1/borgere/{other_team.borger_id}/relationer/").status_code == 404


def test_a_provider_has_no_register_access_to_the_citizens_it_serves(api) -> None:  # type: ignore[no-untyped-def]
    """A provider reads what its bestilling carries, never the register's live data."""
    from tests.factories import BestillingFactory

    provider = UserFactory(udfoerer=True)
    borger = BestillingFactory(udfoerer=provider.organisation).sag.borger
    client = api(provider)
    assert client.get(f"/api/v1/borgere/{borger.pk}/").status_code == 404
    assert client.get(f"/api/v1/borgere/{borger.pk}/relationer/").status_code == 404
