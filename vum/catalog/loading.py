"""Loading catalog files (fixtures/catalog/*.json) into the versioned reference tables.

A file holds one version of one catalog. Loading is idempotent: a version already in the
`Katalogversion` register is not loaded again, and rows that exist are never changed (an
administrator's edits and the rows cases point at stay as they are). Loading a version adds its
rows and ends the validity of the other versions' rows of the same catalog the day before it starts.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q

from vum.catalog import models as m

FFB_SECTIONS: list[tuple[str, type[m.VersionedRow]]] = [
    ("kategorier", m.Kategori),
    ("temaer", m.Tema),
    ("undertemaer", m.Undertema),
    ("funktionsevneniveauer", m.Funktionsevneniveau),
    ("stoettebehov", m.Stoettebehov),
    ("maaltyper", m.Maaltype),
    ("fremadrettet", m.Fremadrettet),
    ("status_paa_indsats", m.StatusPaaIndsats),
    ("visitationsudfald", m.Visitationsudfald),
    ("maalgrupper", m.Maalgruppe),
    ("ydelser", m.Ydelse),
    ("tilbudstyper", m.Tilbudstype),
]
MUNICIPAL_MODELS: list[type[m.VersionedRow]] = [m.Lovhenvisning, m.Hjemmel, m.KommunalYdelse]
FFB_PARENTS: dict[type[m.VersionedRow], tuple[str, type[m.VersionedRow]]] = {
    m.Tema: ("kategori", m.Kategori),
    m.Undertema: ("tema", m.Tema),
}
TREES = (m.Maalgruppe, m.Ydelse, m.Tilbudstype)


class CatalogFileError(Exception):
    """A catalog file that cannot be loaded as it stands."""


@dataclass
class LoadResult:
    katalog: str
    version: str
    created: dict[str, int] = field(default_factory=dict)
    closed: int = 0
    already_loaded: bool = False
    changed_since_load: bool = False

    @property
    def rows_created(self) -> int:
        return sum(self.created.values())


def default_directory() -> Path:
    return Path(settings.BASE_DIR) / "fixtures" / "catalog"


def catalog_files(directory: Path | None = None) -> list[Path]:
    """The files in load order: FFB first (municipal files link to it), then by start date."""
    files = sorted((directory or default_directory()).glob("*.json"))
    heads = [(path, _read(path)) for path in files]
    heads.sort(key=lambda item: (item[1]["katalog"] != m.FFB_KATALOG, item[1]["gyldig_fra"]))
    return [path for path, _ in heads]


def load_all(directory: Path | None = None) -> list[LoadResult]:
    return [load_file(path) for path in catalog_files(directory)]


def _read(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogFileError(f"{path}: kan ikke læses: {exc}") from exc
    for key in ("katalog", "version", "gyldig_fra"):
        if not data.get(key):
            raise CatalogFileError(f"{path}: mangler '{key}'.")
    return data


# A catalog file's statement, for a service that can be applied for, of why it sets no
# processing deadline (the source gives none): the reason and the source's lines. Not a column;
# the loader keeps it in the service's `saerlige_bemaerkninger` (`NO_DEADLINE_NOTE`).
NO_DEADLINE_KEY = "sagsbehandlingsfrist_mangler"
NO_DEADLINE_NOTE = "Ingen sagsbehandlingsfrist i kataloget"


def can_be_applied_for(row: dict[str, Any]) -> bool:
    """A service can be applied for unless the catalog says it needs no visitation
    (`kraever_visitation` false: open access, outreach, the provider's own decision); unset
    counts as applied for, so a catalog that does not say is held to a deadline."""
    return row.get("kraever_visitation") is not False


def _deadline_problems(data: dict[str, Any]) -> list[str]:
    """Every service a citizen can apply for has a processing deadline (retssikkerhedslovens
    § 3): at least one rule, which gives every application type one
    (`processing_deadline_rule` falls back to the rule for all types, then the strictest), or
    the file states why the source gives none (`NO_DEADLINE_KEY`), so a gap is a decision
    written down, never an oversight. A service with rules cannot also say it has none."""
    if data["katalog"] == m.FFB_KATALOG:
        return []  # FFB's ydelser are the national classification, not services applied for
    problems = []
    for row in data.get("ydelser", []):
        service = f"{row.get('kode')} {row.get('navn', '')}".strip()
        if row.get("frister") and row.get(NO_DEADLINE_KEY):
            problems.append(
                f"{service} har sagsbehandlingsfrister og samtidig '{NO_DEADLINE_KEY}'; "
                "fjern den ene."
            )
        elif can_be_applied_for(row) and not row.get("frister") and not row.get(NO_DEADLINE_KEY):
            problems.append(
                f"{service} kan søges, men har ingen sagsbehandlingsfrist "
                "(retssikkerhedslovens § 3). Tilføj mindst én frist, fx for alle "
                "ansøgningstyper; sæt 'kraever_visitation' til false, hvis ydelsen ikke søges; "
                f"eller skriv i '{NO_DEADLINE_KEY}', hvorfor kilden ingen frist giver."
            )
    return problems


def load_file(path: Path) -> LoadResult:
    data = _read(path)
    if problems := _deadline_problems(data):
        raise CatalogFileError(f"{path}: " + " ".join(problems))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    katalog, version = str(data["katalog"]), str(data["version"])
    start = date.fromisoformat(data["gyldig_fra"])
    result = LoadResult(katalog=katalog, version=version)
    with transaction.atomic():
        registered, created = m.Katalogversion.objects.get_or_create(
            katalog=katalog,
            version=version,
            defaults={
                "gyldig_fra": start,
                "titel": data.get("titel", ""),
                "kilde": data.get("kilde", ""),
                "fil": path.name,
                "sha256": digest,
            },
        )
        if not created:
            result.already_loaded = True
            result.changed_since_load = registered.sha256 != digest
            return result
        later = (
            m.Katalogversion.objects.filter(katalog=katalog, gyldig_fra__gt=start)
            .order_by("gyldig_fra")
            .first()
        )
        end = later.gyldig_fra - timedelta(days=1) if later else None
        common = {"katalog": katalog, "version": version, "gyldig_fra": start, "gyldig_til": end}
        if katalog == m.FFB_KATALOG:
            _load_ffb(data, common, result)
            model_list = [model for _, model in FFB_SECTIONS]
        else:
            _load_municipal(data, common, result)
            model_list = MUNICIPAL_MODELS
        for model in model_list:
            result.closed += (
                model.objects.filter(katalog=katalog, gyldig_fra__lt=start)
                .exclude(version=version)
                .filter(Q(gyldig_til__isnull=True) | Q(gyldig_til__gte=start))
                .update(gyldig_til=start - timedelta(days=1))
            )
    return result


def _fields(model: type[models.Model], row: dict[str, Any], skip: set[str]) -> dict[str, Any]:
    names = {f.name for f in model._meta.concrete_fields}
    unknown = set(row) - names - skip
    if unknown:
        raise CatalogFileError(f"{model.__name__}: ukendte felter {sorted(unknown)}")
    values = {k: v for k, v in row.items() if k in names and k not in skip}
    for f in model._meta.concrete_fields:
        if f.name in values and isinstance(f, models.DecimalField) and values[f.name] is not None:
            values[f.name] = Decimal(str(values[f.name]))
        if f.name in values and isinstance(f, models.DateField) and values[f.name]:
            values[f.name] = date.fromisoformat(values[f.name])
    return values


def _validated(model: type[Any], values: dict[str, Any]) -> Any:
    """A row checked against its model, not yet saved. Its links (to a parent, a municipality)
    are rows this load made or found, so they are not looked up again one query each."""
    obj = model(**values)
    links = [f.name for f in model._meta.concrete_fields if f.is_relation]
    try:
        obj.full_clean(exclude=links, validate_constraints=False)
    except Exception as exc:
        raise CatalogFileError(f"{model.__name__} '{values.get('slug', '')}': {exc}") from exc
    return obj


def _load_ffb(data: dict[str, Any], common: dict[str, Any], result: LoadResult) -> None:
    created: dict[type[Any], dict[str, Any]] = {}
    for section, model in FFB_SECTIONS:
        by_slug: dict[str, Any] = {}
        for row in data.get(section, []):
            values = {**_fields(model, row, skip={"parent", "kategori", "tema"}), **common}
            if model in FFB_PARENTS:
                attr, parent_model = FFB_PARENTS[model]
                values[attr] = _lookup(created[parent_model], row[attr], parent_model)
            if model in TREES and row.get("parent"):
                values["parent"] = _lookup(by_slug, row["parent"], model)
            by_slug[row["slug"]] = obj = _validated(model, values)
            if model in TREES:
                # A tree's row is checked against its saved ancestors (no cycle), so it is
                # saved before its children are made.
                obj.save()
        model.objects.bulk_create([obj for obj in by_slug.values() if obj.pk is None])
        created[model] = by_slug
        result.created[model.__name__] = len(by_slug)


def _lookup(rows: dict[str, Any], slug: str, model: type[Any]) -> Any:
    try:
        return rows[slug]
    except KeyError:
        raise CatalogFileError(f"{model.__name__} '{slug}' findes ikke i filen.") from None


def _load_municipal(data: dict[str, Any], common: dict[str, Any], result: LoadResult) -> None:
    spec = data.get("kommune") or {}
    if spec.get("slug") != common["katalog"]:
        raise CatalogFileError("En kommunes katalog skal hedde som kommunens slug.")
    # The municipality itself is not versioned: created once, then left to the administrator.
    kommune, _ = m.Kommune.objects.get_or_create(
        slug=spec["slug"], defaults=_fields(m.Kommune, spec, skip=set())
    )
    ffb_version = data.get("ffb_version")
    ffb_ydelser = {y.slug: y for y in m.Ydelse.objects.filter(version=ffb_version)}

    lov: dict[str, m.Lovhenvisning] = {}
    for row in data.get("lovhenvisninger", []):
        values = {**_fields(m.Lovhenvisning, row, skip=set()), **common, "kommune": kommune}
        lov[row["slug"]] = _validated(m.Lovhenvisning, values)
    m.Lovhenvisning.objects.bulk_create(lov.values())
    hjemler: dict[str, m.Hjemmel] = {}
    for row in data.get("hjemler", []):
        values = {**_fields(m.Hjemmel, row, skip={"lovhenvisning", "kilde"}), **common}
        values["kommune"] = kommune
        values["lovhenvisning"] = _lookup(lov, row["lovhenvisning"], m.Lovhenvisning)
        if row.get("kilde"):
            values["bemaerkning"] = " ".join(
                filter(None, [values.get("bemaerkning"), row["kilde"]])
            )
        hjemler[row["slug"]] = _validated(m.Hjemmel, values)
    m.Hjemmel.objects.bulk_create(hjemler.values())

    children = {"hjemler", "ffb_ydelser", "niveauer", "frister", "takster", NO_DEADLINE_KEY}
    ydelser: list[tuple[dict[str, Any], m.KommunalYdelse]] = []
    for row in data.get("ydelser", []):
        values = {**_fields(m.KommunalYdelse, row, skip=children), **common, "kommune": kommune}
        if row.get(NO_DEADLINE_KEY):
            note = f"{NO_DEADLINE_NOTE}: {row[NO_DEADLINE_KEY]}"
            values["saerlige_bemaerkninger"] = " ".join(
                filter(None, [values.get("saerlige_bemaerkninger"), note])
            )
        ydelser.append((row, _validated(m.KommunalYdelse, values)))
    m.KommunalYdelse.objects.bulk_create(ydelse for _row, ydelse in ydelser)
    m.KommunalYdelse.hjemler.through.objects.bulk_create(
        m.KommunalYdelse.hjemler.through(
            kommunalydelse=ydelse, hjemmel=_lookup(hjemler, slug, m.Hjemmel)
        )
        for row, ydelse in ydelser
        for slug in row.get("hjemler", [])
    )
    m.KommunalYdelse.ffb_ydelser.through.objects.bulk_create(
        m.KommunalYdelse.ffb_ydelser.through(
            kommunalydelse=ydelse, ydelse=_lookup(ffb_ydelser, slug, m.Ydelse)
        )
        for row, ydelse in ydelser
        for slug in row.get("ffb_ydelser", [])
    )
    for child_model, key in (
        (m.Niveau, "niveauer"),
        (m.Sagsbehandlingsfrist, "frister"),
        (m.Takst, "takster"),
    ):
        child_model.objects.bulk_create(
            [
                _validated(
                    child_model, {**_fields(child_model, child, set()), "kommunal_ydelse": ydelse}
                )
                for row, ydelse in ydelser
                for child in row.get(key, [])
            ],
        )
    result.created.update(
        {
            "Lovhenvisning": len(lov),
            "Hjemmel": len(hjemler),
            "KommunalYdelse": len(data.get("ydelser", [])),
            "Sagsbehandlingsfrist": sum(len(r.get("frister", [])) for r in data.get("ydelser", [])),
        }
    )
