"""The reference data: loading, versioning, contents, selectors, admin validation and the API."""

import csv
import json
import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection
from django.db.models.deletion import ProtectedError
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory
from vum.catalog import models as m
from vum.catalog.loading import default_directory, load_all, load_file
from vum.catalog.selectors import current_kommune, kommunale_ydelser, processing_deadline_rule

# The catalogs are dated versions (FFB from 30 May 2024, a test version from 1 January 2025, the
# municipal catalogs from 2020) read in November 2026: "current" means current then.
pytestmark = pytest.mark.now("2026-11-18 10:00")

# The domain files live in shared/ beside the repository (as in CI). Without them the content
# checks cannot run: they skip, except in CI, where a missing shared/ is a failure.
DOMAIN = Path(__file__).resolve().parents[3] / "shared" / "domain"
needs_domain = pytest.mark.skipif(
    not DOMAIN.is_dir() and not os.environ.get("CI"),
    reason=f"the domain files are not at {DOMAIN}",
)
FFB_FILE = default_directory() / "ffb-20240530.json"
VERSIONED = [
    m.Kategori,
    m.Tema,
    m.Undertema,
    m.Funktionsevneniveau,
    m.Stoettebehov,
    m.Maaltype,
    m.Fremadrettet,
    m.StatusPaaIndsats,
    m.Visitationsudfald,
    m.Maalgruppe,
    m.Ydelse,
    m.Tilbudstype,
    m.Lovhenvisning,
    m.Hjemmel,
    m.KommunalYdelse,
]


@pytest.fixture
def catalog(db: None) -> None:
    load_all()


def counts() -> dict[str, int]:
    models: list[Any] = [*VERSIONED, m.Kommune, m.Niveau, m.Sagsbehandlingsfrist, m.Takst]
    return {model.__name__: model.objects.count() for model in models}


# Loading and versioning


def test_load_is_idempotent(catalog: None) -> None:
    before = counts()
    with CaptureQueriesContext(connection) as queries:
        results = load_all()
    assert all(result.already_loaded and not result.changed_since_load for result in results)
    assert counts() == before
    writes = [q["sql"] for q in queries if re.match(r"\s*(INSERT|UPDATE|DELETE)", q["sql"])]
    assert writes == []


def test_counts_loaded(catalog: None) -> None:
    assert m.Kategori.objects.count() == 3
    assert m.Tema.objects.count() == 11
    assert m.Undertema.objects.count() == 67
    assert m.Undertema.objects.filter(scores=True).count() == 31
    assert m.Funktionsevneniveau.objects.count() == 5
    assert m.Stoettebehov.objects.count() == 5
    assert m.Maalgruppe.objects.count() == 57
    assert m.KommunalYdelse.objects.filter(kommune__slug="randers").count() == 14
    assert m.KommunalYdelse.objects.filter(kommune__slug="viborg").count() == 26


def new_ffb_version(tmp_path: Path) -> Path:
    data = json.loads(FFB_FILE.read_text(encoding="utf-8"))
    data.update(version="20250101", gyldig_fra="2025-01-01")
    data["undertemaer"][0]["navn"] = "Stemme og tale (revideret)"
    path = tmp_path / "ffb-20250101.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_new_version_keeps_old_rows_and_closes_them(catalog: None, tmp_path: Path) -> None:
    old = m.Undertema.objects.get(slug="fysiske-funktioner--stemme-og-tale", version="20240530")
    # A case would point at the old row with a PROTECT foreign key; a Tema row does the same here.
    referencing_tema = old.tema

    result = load_file(new_ffb_version(tmp_path))

    assert result.rows_created == m.Undertema.objects.filter(version="20250101").count() + (
        result.rows_created - result.created["Undertema"]
    )
    assert m.Undertema.objects.filter(slug=old.slug).count() == 2
    old.refresh_from_db()
    assert old.navn == "Stemme og tale"
    assert old.gyldig_til == date(2024, 12, 31)
    assert old.tema == referencing_tema
    assert m.Undertema.objects.current(date(2024, 6, 1)).get(slug=old.slug).pk == old.pk
    new = m.Undertema.objects.current(date(2025, 1, 1)).get(slug=old.slug)
    assert new.navn == "Stemme og tale (revideret)"
    assert new.gyldig_til is None
    assert m.Undertema.objects.current(date(2025, 1, 1)).count() == 67
    # Loading the new version again changes nothing.
    assert load_file(tmp_path / "ffb-20250101.json").already_loaded


def test_referenced_row_cannot_be_deleted(catalog: None) -> None:
    ydelse = m.Ydelse.objects.get(slug="socialpaedagogisk-stoette")
    with pytest.raises(ProtectedError):
        ydelse.delete()  # its children and the municipal services point at it


# Contents against the domain files


def catalog_md() -> str:
    return (DOMAIN / "catalog.md").read_text(encoding="utf-8")


@needs_domain
def test_every_subtheme_from_catalog_md(catalog: None) -> None:
    names: list[str] = []
    for line in catalog_md().splitlines():
        match = re.match(r"- \*\*(.+?)\*\* \((\d+)\): (.+)", line)
        if match:
            subs = [s.strip() for s in match.group(3).split("·")]
            assert len(subs) == int(match.group(2))
            names += subs
    assert len(names) == 67
    loaded = set(m.Undertema.objects.values_list("navn", flat=True))
    assert set(names) <= loaded
    scored = set(
        m.Undertema.objects.filter(tema__kategori__navn="Aktivitet og deltagelse").values_list(
            "navn", flat=True
        )
    )
    assert set(m.Undertema.objects.filter(scores=True).values_list("navn", flat=True)) == scored


@needs_domain
def test_every_maalgruppe_from_catalog_md(catalog: None) -> None:
    section = catalog_md().split("## Målgrupper")[1].split("\n", 1)[1].split("Rule:")[0]
    names = set()
    for part in re.split(r"[·;()\n:]|\*\*", section):
        name = part.strip(" -").strip()
        if name:
            names.add(name.capitalize() if name.isupper() else name)
    loaded = set(m.Maalgruppe.objects.values_list("navn", flat=True))
    assert names - loaded == set()
    assert len(names) == 57


@needs_domain
def test_every_service_from_services_md(catalog: None) -> None:
    text = (DOMAIN / "services.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([RV]-[A-Z0-9-]+) \| ([^|]+)\|", text, re.M)
    assert len(rows) == 5 + 26
    for kode, navn in rows:
        # services.md adds English notes in parentheses; the Danish name must be ours.
        assert navn.split(" (")[0].strip() in m.KommunalYdelse.objects.get(kode=kode).navn
    unsupplied = m.KommunalYdelse.objects.filter(kommune__slug="randers", standard_foreligger=False)
    assert unsupplied.count() == 9
    assert not m.Sagsbehandlingsfrist.objects.filter(kommunal_ydelse__in=unsupplied).exists()
    assert all(not y.hjemler.exists() for y in unsupplied)


def test_levels(catalog: None) -> None:
    randers = m.KommunalYdelse.objects.get(kode="R-85")
    viborg = m.KommunalYdelse.objects.get(kode="V-85")
    assert list(randers.niveauer.values_list("kode", flat=True)) == ["1", "2", "3", "4", "5"]
    assert list(viborg.niveauer.values_list("kode", flat=True)) == ["1", "2", "3", "4", "X"]


def ffb_csv(name: str) -> dict[str, str]:
    with open(DOMAIN / "ffb-codes" / name, encoding="utf-8") as f:
        return {row["display"]: row["code"] for row in csv.DictReader(f)}


@needs_domain
def test_official_codes_are_carried(catalog: None) -> None:
    activity = ffb_csv("KLConditionADCodesFFB.csv")
    for navn in ("Spise", "Lave mad", "Varetage økonomi"):
        row = m.Undertema.objects.get(navn=navn)
        assert str(row.ffb_kode) == activity[navn]
        assert row.kodesystem_version == "20240530"
        assert row.definition  # FFB's definition is the help text
    spelling = m.Undertema.objects.get(navn="Anvende kommunikationsudstyr og -teknikker")
    assert str(spelling.ffb_kode) == "a80e8f96-18ba-4ee4-9496-d3ce882c2f85"
    assert str(m.Funktionsevneniveau.objects.get(vaerdi=3).ffb_kode) == (
        "cae545f5-2813-4d79-98fc-0a7d770af3cd"
    )
    assert str(m.Stoettebehov.objects.get(vaerdi=0).ffb_kode) == (
        "ae9f388a-91c3-46cf-af55-f81952f2977c"
    )
    target = ffb_csv("KLTargetGroupsFFB.csv")
    assert (
        str(m.Maalgruppe.objects.get(navn="Autismespektrum").ffb_kode) == target["Autismespektrum"]
    )
    assert m.Maalgruppe.objects.filter(kan_vaelges=True).count() == len(target) == 45
    assert str(m.Maaltype.objects.get(navn="Begrænse tab af funktionsevne").ffb_kode).startswith(
        "e47c22bd"
    )
    # "Ikke vurderet" is the absence of a score, never a level.
    assert not m.Funktionsevneniveau.objects.filter(navn="Ikke vurderet").exists()
    assert m.Ydelse.objects.get(navn="Praktisk hjælp").ffb_kode is None
    assert m.Fremadrettet.objects.filter(ffb_kode__isnull=False).count() == 0


def test_law_text_only_where_quoted(catalog: None) -> None:
    viborg_85 = m.Lovhenvisning.objects.get(slug="viborg-sel-85")
    assert viborg_85.lovtekst.startswith("Kommunalbestyrelsen skal tilbyde hjælp, omsorg")
    assert viborg_85.nummer == "lovbekendtgørelse nr. 798"
    assert viborg_85.dato == date(2019, 8, 7)
    assert m.Lovhenvisning.objects.get(slug="randers-sel-82a").lovtekst.endswith(
        "anden administrativ myndighed."
    )
    assert m.Lovhenvisning.objects.get(slug="randers-sel-10").lovtekst == ""
    assert m.Lovhenvisning.objects.get(slug="randers-sel-85").henvisning == "servicelovens § 85"


# Selectors


@pytest.mark.parametrize("slug", ["randers", "viborg"])
def test_current_kommune(catalog: None, settings: Any, slug: str) -> None:
    settings.VUM_MUNICIPALITY = slug
    assert current_kommune().slug == slug
    assert kommunale_ydelser().filter(kode__startswith=slug[0].upper()).count() == (
        kommunale_ydelser().count()
    )


def test_current_kommune_unknown(catalog: None, settings: Any) -> None:
    settings.VUM_MUNICIPALITY = "Randers Kommune"
    with pytest.raises(ImproperlyConfigured, match="VUM_MUNICIPALITY"):
        current_kommune()


def test_kommunale_ydelser_on_date(catalog: None) -> None:
    viborg = m.Kommune.objects.get(slug="viborg")
    assert kommunale_ydelser(kommune=viborg, on=date(2019, 12, 31)).count() == 0
    assert kommunale_ydelser(kommune=viborg, on=date(2021, 1, 1)).count() == 26


def test_processing_deadline_rules(catalog: None) -> None:
    bpa = m.KommunalYdelse.objects.get(kode="V-96")
    rules = {
        kind: processing_deadline_rule(ydelse=bpa, ansoegningstype=kind)
        for kind in m.Ansoegningstype.values
    }
    assert {k: (r.regel.vaerdi, r.regel.enhed) for k, r in rules.items() if r} == {
        "ny": (12, "uger"),
        "aendring": (4, "uger"),
        "aendring_nye_oplysninger": (8, "uger"),
    }
    randers = m.KommunalYdelse.objects.get(kode="R-85")
    for kind in m.Ansoegningstype.values:
        found = processing_deadline_rule(ydelse=randers, ansoegningstype=kind)
        assert found is not None
        assert (found.regel.vaerdi, found.regel.enhed, found.regel.ansoegningstype) == (
            8,
            "uger",
            "",
        )
        assert found.grundlag == "kataloget har en frist for alle ansøgningstyper"
    r82a = processing_deadline_rule(
        ydelse=m.KommunalYdelse.objects.get(kode="R-82A"), ansoegningstype="ny"
    )
    assert r82a is not None
    assert (r82a.regel.vaerdi, r82a.regel.enhed) == (10, "arbejdsdage")
    none = m.KommunalYdelse.objects.get(kode="V-99")
    assert processing_deadline_rule(ydelse=none, ansoegningstype="ny") is None


# Admin validation


def test_validation_errors(catalog: None) -> None:
    sub = m.Undertema.objects.get(navn="Syn")
    sub.scores = True
    with pytest.raises(ValidationError, match="Aktivitet og deltagelse"):
        sub.full_clean()

    sub = m.Undertema.objects.get(navn="Syn")
    sub.gyldig_til = date(2000, 1, 1)
    with pytest.raises(ValidationError, match="før gyldig fra"):
        sub.full_clean()

    parent = m.Maalgruppe.objects.get(navn="Misbrug")
    child = m.Maalgruppe.objects.get(navn="Stofmisbrug")
    parent.parent = child
    with pytest.raises(ValidationError, match="cyklus"):
        parent.full_clean()

    frist = m.Sagsbehandlingsfrist(
        kommunal_ydelse=m.KommunalYdelse.objects.get(kode="V-99"), vaerdi=0, enhed="uger"
    )
    with pytest.raises(ValidationError) as exc:
        frist.full_clean()
    assert "vaerdi" in exc.value.message_dict


def test_admin_change_pages_validate(catalog: None, client: Client) -> None:
    admin = UserFactory(role="administrator", is_staff=True, is_superuser=True)
    client.force_login(admin)
    sub = m.Undertema.objects.get(navn="Syn")
    assert client.get(f"/admin/catalog/undertema/{sub.pk}/change/").status_code == 200
    ydelse = m.KommunalYdelse.objects.get(kode="V-96")
    assert client.get(f"/admin/catalog/kommunalydelse/{ydelse.pk}/change/").status_code == 200
    data = {
        "navn": sub.navn,
        "raekkefoelge": sub.raekkefoelge,
        "gyldig_fra": "2024-05-30",
        "gyldig_til": "",
        "tema": sub.tema_id,
        "scores": "on",
        "ffb_kode": str(sub.ffb_kode),
        "kodesystem_version": sub.kodesystem_version,
        "definition": sub.definition,
    }
    response = client.post(f"/admin/catalog/undertema/{sub.pk}/change/", data)
    assert response.status_code == 200  # the form is shown again with the error
    assert "Kun undertemaer under Aktivitet og deltagelse" in response.content.decode()
    sub.refresh_from_db()
    assert sub.scores is False


# API


API = "/api/v1/katalog/"
ENDPOINTS = [
    "kategorier",
    "temaer",
    "undertemaer",
    "funktionsevneniveauer",
    "stoettebehov",
    "maaltyper",
    "fremadrettet",
    "status-paa-indsats",
    "visitationsudfald",
    "maalgrupper",
    "ydelser",
    "tilbudstyper",
    "kommuner",
    "lovhenvisninger",
    "kommunale-ydelser",
]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_api_read_only(catalog: None, client: Client, endpoint: str) -> None:
    assert client.get(f"{API}{endpoint}/").status_code == 401
    client.force_login(UserFactory())
    response = client.get(f"{API}{endpoint}/")
    assert response.status_code == 200
    assert response.json()["count"] > 0
    first = response.json()["results"][0]["id"]
    assert client.get(f"{API}{endpoint}/{first}/").status_code == 200
    assert client.post(f"{API}{endpoint}/", {}).status_code == 405
    assert client.delete(f"{API}{endpoint}/{first}/").status_code == 405


def test_api_filters_and_deadlines(catalog: None, client: Client) -> None:
    client.force_login(UserFactory())
    response = client.get(f"{API}kommunale-ydelser/", {"kommune": "viborg", "kode": "V-96"})
    [bpa] = response.json()["results"]
    assert {(f["ansoegningstype"], f["vaerdi"]) for f in bpa["sagsbehandlingsfrister"]} == {
        ("ny", 12),
        ("aendring", 4),
        ("aendring_nye_oplysninger", 8),
    }
    assert bpa["hjemler"][0]["varsel_uger"] == 14
    scored = client.get(f"{API}undertemaer/", {"scores": "true", "aktuel": "true"}).json()
    assert scored["count"] == 31
    old = client.get(f"{API}undertemaer/", {"gyldig_paa": "2020-01-01"}).json()
    assert old["count"] == 0
