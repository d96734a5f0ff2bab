"""Opfølgning over the API: the Mads follow-up from planning to "Træf afgørelse om fortsættelse
af indsats" (support need Moderat → Moderat) with the provider's meeting and statusnotat, the
form's blockers as a 400 listing the reasons, the other outcomes' input, 404 alike for what is
missing and what is out of scope (another organisation, an ended order, another team, a
read-only leader), and the audit trail of the reads."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from assessment.models import Sagsvurdering
from cases.models import Journalnotat, Sag
from followup.models import Opfoelgning, Opfoelgningsskema, Statusnotat
from orders.models import Bestilling
from orders.services.bestilling import bestilling_accept, bestillinger_send
from tests.catalogs import load_catalog
from tests.factories import UserFactory
from tests.mads import Mads, mads_decided, mads_time
from vum import calendar
from vum.accounts.models import User
from vum.audit.models import AuditAction, AuditEvent
from vum.catalog.models import Fremadrettet, StatusPaaIndsats, Stoettebehov
from vum.deadlines.models import Frist

Api = Callable[[User | None], APIClient]

pytestmark = [pytest.mark.django_db, mads_time]

CONTINUE = "Træf afgørelse om fortsættelse af indsats"
NOT_FOUND = {"detail": "Opfølgningen findes ikke eller er ikke tilgængelig for dig."}


@pytest.fixture(autouse=True)
def catalog(db: None, settings: Any) -> None:
    settings.VUM_MUNICIPALITY = "randers"
    load_catalog()


@dataclass
class Delivering:
    mads: Mads
    order: Bestilling
    staff: User

    @property
    def sag_url(self) -> str:
        return f"/api/v1/sager/{self.mads.sag.pk}/opfoelgninger/"


@pytest.fixture
def delivering(caseworker: User) -> Delivering:
    """Mads in levering with X-Hus (all four goals), whose staff member is returned."""
    mads = mads_decided(caseworker)
    Sagsvurdering.objects.filter(pk=mads.vurdering.pk).update(stoettebehov=moderat())
    (order,) = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    staff = UserFactory(udfoerer=True, organisation=mads.x_hus)
    bestilling_accept(actor=staff, bestilling=order)
    return Delivering(mads=mads, order=order, staff=staff)


def moderat() -> Stoettebehov:
    return Stoettebehov.objects.current().get(navn="Moderat støttebehov")


def u_url(pk: int, rest: str = "") -> str:
    return f"/api/v1/udfoerer/opfoelgninger/{pk}/{rest}"


def _plan(api: Api, caseworker: User, d: Delivering) -> dict[str, Any]:
    response = api(caseworker).post(f"{d.sag_url}planlaeg/", {}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["opfoelgning"]


def _when() -> str:
    return (timezone.now() + timedelta(days=20)).replace(microsecond=0).isoformat()


def _statusnotat(d: Delivering, *, indsend: bool, skip: int | None = None) -> dict[str, Any]:
    return {
        "maal": [
            {
                "indsatsmaal": g["id"],
                "vurdering_af_arbejdet": f"Vi arbejder med mål {g['nr']} ugentligt.",
                "maalopfyldelse": "Delvist",
            }
            for g in d.order.indhold["maal"]
            if g["nr"] != skip
        ],
        "vaesentlige_aendringer": "Ingen.",
        "indsend": indsend,
    }


def _tilsyn(**overrides: Any) -> dict[str, Any]:
    body = {
        "form": "moede",
        "samlet_konklusion": "Mads er godt i gang; indsatsen fortsætter.",
        "status_paa_indsats": StatusPaaIndsats.objects.current().get(navn=CONTINUE).pk,
        "stoettebehov_efter": moderat().pk,
        "tilsyn_gennemfoert": True,
        "trives": True,
        "magtanvendelser_i_perioden": False,
        "tilsyn_konklusion": "Mads trives hos X-Hus.",
        "moedt_borgeren": True,
        "borger_enig": True,
    }
    body.update(overrides)
    return body


def test_the_mads_follow_up_continues_through_the_api(
    api: Api, caseworker: User, delivering: Delivering
) -> None:
    d = delivering
    client = api(caseworker)
    planned = _plan(api, caseworker, d)
    assert planned["dato"] == "2026-12-30"
    assert planned["status"] == "planlagt"
    assert planned["udfoerer"] == d.mads.x_hus.pk
    assert [f["art"] for f in planned["frister"]] == [
        "statusnotat",
        "statusnotat_gennemgang",
        "opfoelgning",
        "opfoelgningsskema",
    ]
    again = client.post(f"{d.sag_url}planlaeg/", {}, format="json")
    assert again.status_code == 200
    assert again.json()["opfoelgning"]["id"] == planned["id"]
    listed = client.get(d.sag_url).json()
    assert [row["id"] for row in listed] == [planned["id"]]

    # The provider calls the meeting and sends its statusnotat.
    provider = api(d.staff)
    seen = provider.get(u_url(planned["id"]))
    assert seen.status_code == 200
    data = seen.json()
    assert data["ansvarlig"] is True
    assert data["bestilling"] == d.order.pk
    assert {f["art"] for f in data["frister"]} == {"statusnotat", "opfoelgning"}
    assert [g["nr"] for g in data["maal"]] == [1, 2, 3, 4]
    assert data["statusnotat"] is None
    called = provider.post(
        u_url(planned["id"], "indkald/"),
        {
            "tidspunkt": _when(),
            "form": "moede",
            "sted": "Hjemme hos Mads",
            "deltagere": "Mads, Malene og Torben (forældre)",
        },
        format="json",
    )
    assert called.status_code == 200, called.json()
    assert called.json()["status"] == "indkaldt"
    assert called.json()["moede_sted"] == "Hjemme hos Mads"

    draft = provider.put(u_url(planned["id"], "statusnotat/"), _statusnotat(d, indsend=False))
    assert draft.status_code == 200, draft.json()
    assert draft.json()["statusnotat"]["indsendt"] is None
    # The caseworker does not see a draft.
    assert client.get(f"{d.sag_url}{planned['id']}/").json()["statusnotat"] is None
    sent = provider.post(
        u_url(planned["id"], "statusnotat/"), _statusnotat(d, indsend=True), format="json"
    )
    assert sent.status_code == 200, sent.json()
    assert sent.json()["statusnotat"]["indsendt"] is not None
    assert len(sent.json()["statusnotat"]["maal"]) == 4
    opfoelgning = Opfoelgning.objects.get(pk=planned["id"])
    assert opfoelgning.frister.get(art="statusnotat").status == Frist.Status.OVERHOLDT

    # The caseworker reads it, fills in the form and continues the indsats.
    detail = client.get(f"{d.sag_url}{planned['id']}/").json()
    assert detail["statusnotat"]["vaesentlige_aendringer"] == "Ingen."
    assert detail["skema"] is None
    started = client.post(f"{d.sag_url}{planned['id']}/skema/")
    assert started.status_code == 201
    skema = started.json()["skema"]
    assert Sag.objects.get(pk=d.mads.sag.pk).fase == "opfoelgning"
    assert skema["stoettebehov_foer_navn"] == "Moderat støttebehov"
    rows = {row["nr"]: row for row in skema["maal"]}
    assert (rows[2]["overfoert_niveau"], rows[2]["overfoert_forventet"]) == (2, 0)
    assert skema["mangler"]
    assert client.post(f"{d.sag_url}{planned['id']}/skema/").status_code == 200

    keep = Fremadrettet.objects.current().get(navn="Mål uændret").pk
    next_date = opfoelgning.dato + timedelta(days=91)
    body = _tilsyn(
        naeste_dato=next_date.isoformat(),
        maal=[
            {
                "indsatsmaal": row["indsatsmaal"],
                "nyt_niveau": row["overfoert_niveau"],
                "fremadrettet": keep,
                "sagsbehandlers_vurdering": "Arbejdet går som aftalt.",
            }
            for row in skema["maal"]
        ],
    )
    updated = client.patch(f"{d.sag_url}{planned['id']}/skema/", body, format="json")
    assert updated.status_code == 200, updated.json()
    skema = updated.json()["skema"]
    assert skema["mangler"] == []
    assert skema["stoettebehov_efter_navn"] == "Moderat støttebehov"
    assert {row["nr"]: row["nyt_niveau"] for row in skema["maal"]}[2] == 2
    assert all(row["vurderet"] for row in skema["maal"])
    # A PATCH changes only what it names.
    partial = client.patch(
        f"{d.sag_url}{planned['id']}/skema/",
        {"paaroerendes_kommentarer": "Malene er glad for støtten."},
        format="json",
    )
    assert partial.status_code == 200
    assert partial.json()["skema"]["samlet_konklusion"].startswith("Mads er godt i gang")

    done = client.post(f"{d.sag_url}{planned['id']}/udfald/", {"udfald": "fortsaet"})
    assert done.status_code == 200, done.json()
    result = done.json()
    assert result["udfald"] == "fortsaet"
    assert result["sag_fase"] == "levering"
    assert result["opfoelgning"]["status"] == "afsluttet"
    assert result["naeste_opfoelgning"]["dato"] == calendar.next_working_day(next_date).isoformat()
    assert result["naeste_opfoelgning"]["grundlag"].startswith("Aftalt ved opfølgningen")
    assert result["afgoerelse"] is None
    assert Journalnotat.objects.filter(sag=d.mads.sag, emne__contains="fortsættelse").exists()
    skema_row = Opfoelgningsskema.objects.get(opfoelgning_id=planned["id"])
    assert (skema_row.stoettebehov_foer, skema_row.stoettebehov_efter) == (moderat(), moderat())
    assert skema_row.udfald == "fortsaet"
    finished = client.get(f"{d.sag_url}{planned['id']}/").json()
    assert finished["skema"]["mangler"] == []
    assert finished["skema"]["udfald"] == "fortsaet"


def test_the_forms_blockers_are_a_400_listing_the_reasons(
    api: Api, caseworker: User, delivering: Delivering
) -> None:
    d = delivering
    client = api(caseworker)
    planned = _plan(api, caseworker, d)
    url = f"{d.sag_url}{planned['id']}/"
    no_form = client.post(f"{url}udfald/", {"udfald": "fortsaet"})
    assert no_form.status_code == 400
    assert no_form.json() == {"detail": ["Start opfølgningsskemaet først."]}
    assert client.patch(f"{url}skema/", {"trives": True}, format="json").status_code == 400

    client.post(f"{url}skema/")
    client.patch(
        f"{url}skema/",
        _tilsyn(tilsyn_gennemfoert=None, trives=None, moedt_borgeren=False),
        format="json",
    )
    blocked = client.post(f"{url}udfald/", {"udfald": "fortsaet"})
    assert blocked.status_code == 400
    reasons = blocked.json()["detail"]
    assert "Det personrettede tilsyn skal være gennemført." in reasons
    assert "Tilsyn: angiv om borgeren trives." in reasons
    assert any("Du har ikke mødt borgeren" in r for r in reasons)
    assert any(r.startswith("Mål 1: angiv det nye aktuelle") for r in reasons)
    assert Opfoelgning.objects.get(pk=planned["id"]).status == "planlagt"
    assert Opfoelgningsskema.objects.get(opfoelgning_id=planned["id"]).afsluttet is None

    # Bad input is a 400 with the field named.
    unknown = client.patch(
        f"{url}skema/", {"maal": [{"indsatsmaal": 999999, "nyt_niveau": 2}]}, format="json"
    )
    assert unknown.status_code == 400
    assert unknown.json() == {"maal": ["Målet hører ikke til opfølgningen."]}
    level = client.patch(
        f"{url}skema/",
        {"maal": [{"indsatsmaal": d.order.indhold["maal"][0]["id"], "nyt_niveau": 7}]},
        format="json",
    )
    assert level.status_code == 400
    assert level.json() == {
        "maal": {"0": {"nyt_niveau": ["Tjek at værdien er mindre end eller lig med 4."]}}
    }
    end = client.post(f"{url}udfald/", {"udfald": "ophoer"}, format="json")
    assert end.status_code == 400
    assert end.json() == {"virkningsdato": ["Angiv hvornår indsatsen ophører."]}
    revisit = client.post(f"{url}udfald/", {"udfald": "revisitation"}, format="json")
    assert revisit.status_code == 400
    assert "begrundelse" in revisit.json()
    assert client.post(f"{url}udfald/", {"udfald": "ukendt"}).status_code == 400


def test_cancelling_a_meeting_and_the_provider_after_it(
    api: Api, caseworker: User, delivering: Delivering
) -> None:
    d = delivering
    client = api(caseworker)
    planned = _plan(api, caseworker, d)
    url = f"{d.sag_url}{planned['id']}/aflys/"
    assert client.post(url, {}).json() == {"begrundelse": ["Skriv hvorfor mødet aflyses."]}
    cancelled = client.post(url, {"begrundelse": "Statusnotatet er utilstrækkeligt."})
    assert cancelled.status_code == 200
    assert cancelled.json()["opfoelgning"]["status"] == "aflyst"
    assert {f["status"] for f in cancelled.json()["opfoelgning"]["frister"]} == {"annulleret"}
    again = client.post(url, {"begrundelse": "Igen"})
    assert again.status_code == 400
    assert again.json() == {"detail": ["Opfølgningen er afsluttet eller aflyst."]}
    provider = api(d.staff)
    late = provider.post(
        u_url(planned["id"], "indkald/"),
        {"tidspunkt": _when(), "form": "telefon"},
        format="json",
    )
    assert late.status_code == 400
    assert late.json() == {"detail": ["Opfølgningen er afsluttet eller aflyst."]}
    # A new follow-up is planned after a cancelled one.
    assert client.post(f"{d.sag_url}planlaeg/", {}, format="json").status_code == 201


def test_the_provider_needs_a_place_and_all_goals(
    api: Api, caseworker: User, delivering: Delivering
) -> None:
    d = delivering
    planned = _plan(api, caseworker, d)
    provider = api(d.staff)
    no_place = provider.post(
        u_url(planned["id"], "indkald/"), {"tidspunkt": _when(), "form": "moede"}, format="json"
    )
    assert no_place.status_code == 400
    assert no_place.json() == {"sted": ["Angiv hvor mødet holdes."]}
    missing = provider.put(
        u_url(planned["id"], "statusnotat/"), _statusnotat(d, indsend=True, skip=2), format="json"
    )
    assert missing.status_code == 400
    assert missing.json() == {"maal": ["Skriv vurderingen af arbejdet med mål 2."]}
    assert not Statusnotat.objects.exists()
    foreign = _statusnotat(d, indsend=False)
    foreign["maal"].append({"indsatsmaal": 999999, "vurdering_af_arbejdet": "x"})
    wrong = provider.put(u_url(planned["id"], "statusnotat/"), foreign, format="json")
    assert wrong.status_code == 400
    assert wrong.json() == {"maal": ["Statusnotatet kan kun handle om bestillingens mål."]}
    Opfoelgning.objects.filter(pk=planned["id"]).update(status="afsluttet")
    closed = provider.put(u_url(planned["id"], "statusnotat/"), _statusnotat(d, indsend=False))
    assert closed.status_code == 400


def test_out_of_scope_is_404(api: Api, caseworker: User, delivering: Delivering) -> None:
    d = delivering
    planned = _plan(api, caseworker, d)
    pk = planned["id"]
    provider_calls: list[tuple[str, str, dict[str, Any]]] = [
        ("get", u_url(pk), {}),
        ("post", u_url(pk, "indkald/"), {"tidspunkt": _when(), "form": "telefon"}),
        ("put", u_url(pk, "statusnotat/"), _statusnotat(d, indsend=False)),
    ]
    for user in (UserFactory(udfoerer=True), caseworker, UserFactory()):
        client = api(user)
        for method, url, body in provider_calls:
            response = getattr(client, method)(url, body, format="json")
            assert response.status_code == 404, (user.role, url)
            assert response.json() == NOT_FOUND
    assert api(d.staff).get(u_url(pk + 1000)).json() == NOT_FOUND

    # The provider has no caseworker endpoints; nor has another team; a leader only reads.
    leader = UserFactory(leder=True, teams=[caseworker.teams.get()])
    for user in (d.staff, UserFactory()):
        client = api(user)
        assert client.get(d.sag_url).status_code == 404
        assert client.get(f"{d.sag_url}{pk}/").status_code == 404
        assert client.post(f"{d.sag_url}planlaeg/", {}).status_code == 404
    reader = api(leader)
    assert reader.get(f"{d.sag_url}{pk}/").status_code == 200
    for url, body in (
        (f"{d.sag_url}{pk}/aflys/", {"begrundelse": "Nej"}),
        (f"{d.sag_url}{pk}/skema/", {}),
        (f"{d.sag_url}planlaeg/", {}),
    ):
        assert reader.post(url, body).status_code == 404, url
    assert api(caseworker).get(f"{d.sag_url}{pk + 1000}/").json() == NOT_FOUND

    # When the order ends, so does the provider's access.
    Bestilling.objects.filter(pk=d.order.pk).update(
        slutdato=timezone.localdate() - timedelta(days=1)
    )
    client = api(d.staff)
    for method, url, body in provider_calls:
        assert getattr(client, method)(url, body, format="json").status_code == 404, url
    assert Opfoelgning.objects.get(pk=pk).status == "planlagt"
    assert not Statusnotat.objects.exists()


def test_a_second_provider_never_sees_the_others_statusnotat(api: Api, caseworker: User) -> None:
    mads = mads_decided(caseworker, second_provider=True)
    sent = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    staff = {b.udfoerer_id: UserFactory(udfoerer=True, organisation=b.udfoerer) for b in sent}
    for b in sent:
        bestilling_accept(actor=staff[b.udfoerer_id], bestilling=b)
    by_org = {b.udfoerer_id: b for b in sent}
    response = api(caseworker).post(f"/api/v1/sager/{mads.sag.pk}/opfoelgninger/planlaeg/")
    planned = response.json()["opfoelgning"]
    calling = planned["udfoerer"]
    (other,) = [org for org in by_org if org != calling]
    body = {
        "maal": [
            {"indsatsmaal": g["id"], "vurdering_af_arbejdet": "Hemmeligt for andre."}
            for g in by_org[calling].indhold["maal"]
        ],
        "indsend": False,
    }
    saved = api(staff[calling]).put(u_url(planned["id"], "statusnotat/"), body, format="json")
    assert saved.status_code == 200
    seen = api(staff[other]).get(u_url(planned["id"]))
    assert seen.status_code == 200
    assert seen.json()["ansvarlig"] is False
    assert seen.json()["statusnotat"] is None
    assert "Hemmeligt for andre." not in seen.content.decode()
    assert {g["id"] for g in seen.json()["maal"]} == {
        g["id"] for g in by_org[other].indhold["maal"]
    }
    write = api(staff[other]).put(u_url(planned["id"], "statusnotat/"), body, format="json")
    assert write.status_code == 404


def test_reads_are_audited(api: Api, caseworker: User, delivering: Delivering) -> None:
    d = delivering
    planned = _plan(api, caseworker, d)
    borger_id = d.mads.sag.borger_id
    client = api(caseworker)
    mine = AuditEvent.objects.filter(actor=caseworker, borger_id=borger_id, action=AuditAction.VIEW)
    before = mine.filter(summary="Opfølgning læst").count()
    assert client.get(d.sag_url).status_code == 200
    assert mine.filter(summary="Opfølgninger læst").count() == 1
    assert client.get(f"{d.sag_url}{planned['id']}/").status_code == 200
    assert mine.filter(summary="Opfølgning læst").count() == before + 1
    assert api(d.staff).get(u_url(planned["id"])).status_code == 200
    theirs = AuditEvent.objects.filter(
        actor=d.staff, borger_id=borger_id, action=AuditAction.VIEW, summary="Opfølgning læst"
    )
    assert theirs.count() == 1
