"""Writes for citizens, enquiries, cases, sagsåbning, consent and the journal.

Each service checks the access policy, validates, writes and leaves an audit event in one
transaction. Errors carry Danish messages meant for the user.
"""

from datetime import date, datetime
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Min
from django.utils import timezone

from cases import cpr as cpr_rules
from cases.lifecycle import Fase, blockers
from cases.models import (
    Aftale,
    Borger,
    Diagnose,
    EksisterendeOplysning,
    Formaal,
    Henvendelse,
    Journalnotat,
    Overgang,
    Relation,
    Sag,
    Sagsaabning,
    SagsaabningRow,
    Samtykke,
    TidligereHenvendelse,
)
from vum import calendar
from vum.access import Action, NotFoundForUser, require
from vum.accounts.models import Organisation, Role, Team, User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record, diff, snapshot
from vum.calendar import end_of_day
from vum.catalog.models import Ansoegningstype, KommunalYdelse
from vum.catalog.selectors import kommunale_ydelser, processing_deadline_rule
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_cancel, frist_create, frist_meet, frist_move


class TransitionError(Exception):
    """A phase change that cannot happen; `message` is shown to the user."""

    def __init__(self, message: str, *, reasons: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reasons = reasons or []


class UnknownTransition(TransitionError):
    pass


class TransitionBlocked(TransitionError):
    pass


class TransitionConflict(TransitionError):
    """Someone else moved the case first."""


# Citizens


def borger_create(
    *,
    actor: User,
    cpr: str,
    fornavn: str,
    efternavn: str,
    adresse: str = "",
    postnummer: str = "",
    by: str = "",
    telefon: str = "",
    email: str = "",
) -> Borger:
    require(actor, Action.CREATE_BORGER)
    try:
        cpr = cpr_rules.normalise(cpr)
    except ValidationError as exc:
        raise ValidationError({"cpr": exc.messages}) from exc
    borger = Borger(
        cpr=cpr,
        fornavn=fornavn.strip(),
        efternavn=efternavn.strip(),
        adresse=adresse,
        postnummer=postnummer,
        by=by,
        telefon=telefon,
        email=email,
    )
    borger.full_clean(validate_unique=False)
    if Borger.objects.filter(cpr=borger.cpr).exists():
        raise ValidationError({"cpr": "Der findes allerede en borger med dette CPR-nummer."})
    try:
        with transaction.atomic():
            borger.save()
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=borger,
                summary="Borger oprettet",
                changes=diff({}, snapshot(borger)),
            )
    except IntegrityError as exc:  # a concurrent registration of the same CPR number
        raise ValidationError(
            {"cpr": "Der findes allerede en borger med dette CPR-nummer."}
        ) from exc
    return borger


BORGER_EDITABLE = ("fornavn", "efternavn", "adresse", "postnummer", "by", "telefon", "email")


@transaction.atomic
def borger_update(*, actor: User, borger: Borger, **fields: Any) -> Borger:
    require(actor, Action.EDIT_BORGER, borger)
    unknown = set(fields) - set(BORGER_EDITABLE)
    if unknown:
        raise ValidationError(f"Felterne kan ikke ændres: {', '.join(sorted(unknown))}.")
    borger = Borger.objects.select_for_update().get(pk=borger.pk)
    before = snapshot(borger, BORGER_EDITABLE)
    for name, value in fields.items():
        setattr(borger, name, value)
    borger.full_clean(validate_unique=False)
    borger.save(update_fields=[*fields])
    changes = diff(before, snapshot(borger, BORGER_EDITABLE))
    # With nothing changed the caller still gets the citizen back: that is a read.
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE if changes else AuditAction.VIEW,
        obj=borger,
        summary="Borger ændret" if changes else "Borger vist (intet ændret)",
        changes=changes,
    )
    return borger


@transaction.atomic
def relation_create(*, actor: User, borger: Borger, **fields: Any) -> Relation:
    require(actor, Action.EDIT_BORGER, borger)
    relation = Relation(borger=borger, **fields)
    relation.full_clean()
    relation.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=relation,
        summary=f"{relation.get_type_display()} registreret",
        changes=diff({}, snapshot(relation)),
    )
    return relation


# Enquiries and opening a case


OPENS_CASE = (Henvendelse.Triage.SAG, Henvendelse.Triage.KLAR_SAG)


@transaction.atomic
def henvendelse_register(
    *,
    actor: User,
    borger: Borger,
    kilde: str,
    aarsag: str,
    team: Team,
    triage: str,
    modtaget: date | None = None,
    kilde_navn: str = "",
    kilde_kontakt: str = "",
    triage_notat: str = "",
    henvist_til: str = "",
    kommunal_ydelse: KommunalYdelse | None = None,
    ansoegningstype: str = "",
) -> Henvendelse:
    """Register an enquiry and its triage. A case is opened only when triage says so; advice and
    referrals are logged with no case (handbook l. 641-643). Naming the service applied for
    starts the case's processing deadline at once."""
    require(actor, Action.OPEN_CASE)
    require(actor, Action.VIEW, borger)
    if not actor.teams.filter(pk=team.pk).exists():
        raise ValidationError({"team": "Du kan kun registrere henvendelser i dine egne teams."})
    henvendelse = Henvendelse(
        borger=borger,
        kilde=kilde,
        aarsag=aarsag,
        team=team,
        triage=triage,
        modtaget=modtaget or timezone.localdate(),
        kilde_navn=kilde_navn,
        kilde_kontakt=kilde_kontakt,
        triage_notat=triage_notat,
        henvist_til=henvist_til,
        registreret_af=actor,
    )
    henvendelse.full_clean(exclude=["sag"])
    errors = {}
    if henvendelse.modtaget > timezone.localdate():
        errors["modtaget"] = "Modtagelsesdatoen kan ikke ligge i fremtiden."
    if triage == Henvendelse.Triage.HENVIST and not henvist_til.strip():
        errors["henvist_til"] = "Angiv hvem borgeren er henvist til."
    if triage == Henvendelse.Triage.RAADGIVNING and not triage_notat.strip():
        errors["triage_notat"] = "Notér den rådgivning, borgeren har fået."
    if errors:
        raise ValidationError(errors)
    if triage in OPENS_CASE:
        sag = Sag.objects.create(borger=borger, team=team, sagsbehandler=actor, aarsag=aarsag)
        Sagsaabning.objects.create(sag=sag, klar_sag=triage == Henvendelse.Triage.KLAR_SAG)
        henvendelse.sag = sag
        audit_record(actor=actor, action=AuditAction.CREATE, obj=sag, summary="Sag oprettet")
    henvendelse.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=henvendelse,
        summary=f"Henvendelse registreret: {henvendelse.get_triage_display()}",
        changes=diff({}, snapshot(henvendelse)),
    )
    if henvendelse.sag is not None and kommunal_ydelse is not None:
        sag_ansoegning_set(
            actor=actor,
            sag=henvendelse.sag,
            kommunal_ydelse=kommunal_ydelse,
            ansoegningstype=ansoegningstype,
        )
    return henvendelse


SAGSAABNING_EDITABLE = tuple(
    f.name
    for f in Sagsaabning._meta.get_fields()
    if isinstance(f, models.Field) and f.editable and f.name not in ("id", "sag", "opdateret")
)


@transaction.atomic
def sagsaabning_update(*, actor: User, sag: Sag, **fields: Any) -> Sagsaabning:
    require(actor, Action.EDIT, sag)
    unknown = set(fields) - set(SAGSAABNING_EDITABLE)
    if unknown:
        raise ValidationError(f"Felterne findes ikke i sagsåbningen: {', '.join(sorted(unknown))}.")
    aabning = Sagsaabning.objects.select_for_update().get(sag=sag)
    before = snapshot(aabning, SAGSAABNING_EDITABLE)
    for name, value in fields.items():
        setattr(aabning, name, value)
    aabning.full_clean(exclude=["sag"])
    aabning.save()
    changes = diff(before, snapshot(aabning, SAGSAABNING_EDITABLE))
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE if changes else AuditAction.VIEW,
        obj=aabning,
        borger_id=sag.borger_id,
        summary="Sagsåbning opdateret" if changes else "Sagsåbning vist (intet ændret)",
        changes=changes,
    )
    return aabning


@transaction.atomic
def formaal_set(*, actor: User, sag: Sag, formaal: str, analysespoergsmaal: str = "") -> Formaal:
    """A new version of the purpose; earlier versions are kept as history."""
    require(actor, Action.EDIT, sag)
    if not formaal.strip():
        raise ValidationError({"formaal": "Formålet med udredningen skal udfyldes."})
    previous = sag.formaal_versioner.first()
    version = Formaal.objects.create(
        sag=sag, formaal=formaal, analysespoergsmaal=analysespoergsmaal, oprettet_af=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if previous is None else AuditAction.UPDATE,
        obj=version,
        borger_id=sag.borger_id,
        summary="Formål fastlagt" if previous is None else "Formål ændret (ny version)",
        changes=diff(
            snapshot(previous, ["formaal", "analysespoergsmaal"]) if previous else {},
            snapshot(version, ["formaal", "analysespoergsmaal"]),
        ),
    )
    return version


Row = TypeVar("Row", TidligereHenvendelse, Diagnose, EksisterendeOplysning, Aftale)


@transaction.atomic
def sagsaabning_row_add(*, actor: User, sag: Sag, model: type[Row], **fields: Any) -> Row:
    """Add one repeating row (earlier enquiry, diagnosis, existing information, agreement)."""
    require(actor, Action.EDIT, sag)
    row = model(sag=sag, **fields)
    row.full_clean(exclude=["sag", "frist"])
    if isinstance(row, Aftale):
        row.frist = frist_create(
            sag=sag,
            art=Frist.Art.AFTALE,
            # Deadline texts reach notifications and e-mails: no place or names, the case page
            # (an audited read) has the details.
            beskrivelse="Aftalt møde i sagsåbningen",
            frist=row.tidspunkt,
            ansvarlig=sag.sagsbehandler,
            regel="Aftalt møde i sagsåbningen",
            actor=actor,
        )
    row.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=row,
        borger_id=sag.borger_id,
        summary=f"{str(model._meta.verbose_name).capitalize()} registreret",
        changes=diff({}, snapshot(row)),
    )
    return row


@transaction.atomic
def sagsaabning_row_delete(*, actor: User, row: SagsaabningRow) -> None:
    sag = row.sag
    require(actor, Action.EDIT, sag)
    before = snapshot(row)
    if isinstance(row, Aftale) and row.frist is not None and row.frist.status == Frist.Status.AABEN:
        frist_cancel(frist=row.frist, begrundelse="Aftalen er slettet", actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=row,
        borger_id=sag.borger_id,
        summary=f"{str(row._meta.verbose_name).capitalize()} slettet",
        changes=diff(before, {}),
    )
    row.delete()


# What is applied for, and the processing deadline it gives


def _processing_deadline_sync(*, actor: User, sag: Sag) -> None:
    """Keep the case's sagsbehandlingsfrist in step with its service and application type: it
    runs from the first enquiry, by the municipality's rule for that service and type."""
    existing = Frist.objects.open().filter(sag=sag, art=Frist.Art.SAGSBEHANDLINGSFRIST).first()
    ydelse = sag.kommunal_ydelse
    rule = (
        processing_deadline_rule(ydelse=ydelse, ansoegningstype=sag.ansoegningstype)
        if ydelse is not None
        else None
    )
    first_enquiry = sag.henvendelser.aggregate(first=Min("modtaget"))["first"]
    if rule is None or ydelse is None or first_enquiry is None:
        if existing is not None:
            frist_cancel(
                frist=existing,
                begrundelse="Den ansøgte ydelse har ingen sagsbehandlingsfrist i kataloget",
                actor=actor,
            )
        return
    due = end_of_day(calendar.add(first_enquiry, rule.vaerdi, rule.enhed))
    kind = rule.get_ansoegningstype_display() or "alle ansøgninger"
    regel = (
        f"{ydelse.kode}: {rule.vaerdi} {rule.get_enhed_display()} fra {rule.startbegivenhed} "
        f"({first_enquiry:%d.%m.%Y}), {kind.lower()}"
    )
    if existing is None:
        frist_create(
            sag=sag,
            art=Frist.Art.SAGSBEHANDLINGSFRIST,
            frist=due,
            beskrivelse=f"Afgørelse om {ydelse.navn}",
            regel=regel,
            ansvarlig=sag.sagsbehandler,
            ansvarligt_team=sag.team,
            actor=actor,
        )
    elif existing.frist != due:
        frist_move(
            frist=existing,
            til=due,
            begrundelse=f"Den ansøgte ydelse eller ansøgningstype er ændret ({regel})",
            actor=actor,
        )


@transaction.atomic
def sag_ansoegning_set(
    *, actor: User, sag: Sag, kommunal_ydelse: KommunalYdelse | None, ansoegningstype: str
) -> Sag:
    """Record what the citizen applies for, and start or move the processing deadline."""
    require(actor, Action.EDIT, sag)
    errors = {}
    if kommunal_ydelse is not None:
        if not kommunale_ydelser().filter(pk=kommunal_ydelse.pk).exists():
            errors["kommunal_ydelse"] = "Ydelsen findes ikke i kommunens gældende katalog."
        if not ansoegningstype:
            errors["ansoegningstype"] = "Angiv ansøgningstypen."
    if ansoegningstype and ansoegningstype not in Ansoegningstype.values:
        errors["ansoegningstype"] = "Ukendt ansøgningstype."
    if errors:
        raise ValidationError(errors)
    locked = Sag.objects.select_for_update().get(pk=sag.pk)
    before = snapshot(locked, ["kommunal_ydelse", "ansoegningstype"])
    locked.kommunal_ydelse = kommunal_ydelse
    locked.ansoegningstype = ansoegningstype if kommunal_ydelse is not None else ""
    locked.save(update_fields=["kommunal_ydelse", "ansoegningstype"])
    changes = diff(before, snapshot(locked, ["kommunal_ydelse", "ansoegningstype"]))
    if changes:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            summary="Ansøgt ydelse registreret",
            changes=changes,
        )
    _processing_deadline_sync(actor=actor, sag=locked)
    return locked


# Consent


@transaction.atomic
def samtykke_register(
    *,
    actor: User,
    sag: Sag,
    retning: str,
    part: str,
    form: str,
    givet: date,
    specifikation: str = "",
    tilbud: Organisation | None = None,
) -> Samtykke:
    require(actor, Action.EDIT, sag)
    samtykke = Samtykke(
        sag=sag,
        retning=retning,
        part=part,
        form=form,
        givet=givet,
        specifikation=specifikation,
        tilbud=tilbud,
        registreret_af=actor,
    )
    samtykke.full_clean(exclude=["sag", "registreret_af"])
    if givet > timezone.localdate():
        raise ValidationError({"givet": "Et samtykke kan ikke være givet i fremtiden."})
    samtykke.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=samtykke,
        borger_id=sag.borger_id,
        summary=f"Samtykke registreret: {samtykke}",
        changes=diff({}, snapshot(samtykke)),
    )
    return samtykke


@transaction.atomic
def samtykke_withdraw(
    *, actor: User, samtykke: Samtykke, tilbagekaldt: date, begrundelse: str = ""
) -> Samtykke:
    require(actor, Action.EDIT, samtykke.sag)
    samtykke = Samtykke.objects.select_for_update().get(pk=samtykke.pk)
    if samtykke.tilbagekaldt is not None:
        raise ValidationError("Samtykket er allerede tilbagekaldt.")
    if tilbagekaldt < samtykke.givet:
        raise ValidationError(
            {"tilbagekaldt": "Et samtykke kan ikke tilbagekaldes før det er givet."}
        )
    before = snapshot(samtykke, ["tilbagekaldt", "tilbagekaldt_begrundelse"])
    samtykke.tilbagekaldt = tilbagekaldt
    samtykke.tilbagekaldt_begrundelse = begrundelse
    samtykke.save(update_fields=["tilbagekaldt", "tilbagekaldt_begrundelse"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=samtykke,
        borger_id=samtykke.sag.borger_id,
        summary=f"Samtykke tilbagekaldt: {samtykke}",
        changes=diff(before, snapshot(samtykke, ["tilbagekaldt", "tilbagekaldt_begrundelse"])),
    )
    return samtykke


# Journal


@transaction.atomic
def journalnotat_create(
    *,
    actor: User,
    sag: Sag,
    emne: str,
    tekst: str,
    dato: date | None = None,
    retter: Journalnotat | None = None,
) -> Journalnotat:
    """A signed note. With `retter` it is a correction of an earlier note in the same case."""
    require(actor, Action.EDIT, sag)
    if retter is not None:
        retter = Journalnotat.objects.select_for_update().get(pk=retter.pk)
        if retter.sag_id != sag.pk:
            raise ValidationError({"retter": "Et notat kan kun rettes inden for samme sag."})
        if Journalnotat.objects.filter(retter=retter).exists():
            raise ValidationError({"retter": "Notatet er allerede rettet; ret det nyeste notat."})
    now = timezone.now()
    notat = Journalnotat(
        sag=sag,
        emne=emne.strip(),
        tekst=tekst,
        dato=dato or timezone.localdate(),
        forfatter=actor,
        retter=retter,
        underskrift=(
            f"{actor.get_full_name() or actor.username}, {timezone.localtime(now):%d.%m.%Y %H:%M}"
        ),
    )
    notat.full_clean(exclude=["sag", "forfatter", "retter"])
    if notat.dato > timezone.localdate():
        raise ValidationError({"dato": "Et notat kan ikke dateres i fremtiden."})
    notat.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=notat,
        borger_id=sag.borger_id,
        summary="Rettelsesnotat skrevet" if retter else "Journalnotat skrevet",
        changes=diff({}, snapshot(notat, ["dato", "emne", "tekst", "retter"])),
    )
    return notat


# The case's deadlines, by hand from its page


def _own_frist(actor: User, sag: Sag, frist: Frist) -> None:
    """The caseworker may write on the case, and the deadline is one of the case's."""
    require(actor, Action.EDIT, sag)
    if frist.sag_id != sag.pk:
        raise NotFoundForUser("Fristen findes ikke i denne sag.")


def sag_frist_move(
    *, actor: User, sag: Sag, frist: Frist, til: datetime, begrundelse: str
) -> Frist:
    _own_frist(actor, sag, frist)
    return frist_move(frist=frist, til=til, begrundelse=begrundelse, actor=actor)


def sag_frist_meet(*, actor: User, sag: Sag, frist: Frist) -> Frist:
    _own_frist(actor, sag, frist)
    return frist_meet(frist=frist, actor=actor)


def sag_frist_cancel(*, actor: User, sag: Sag, frist: Frist, begrundelse: str) -> Frist:
    _own_frist(actor, sag, frist)
    return frist_cancel(frist=frist, begrundelse=begrundelse, actor=actor)


# The lifecycle


def transition_names() -> list[str]:
    return sorted({t.name for t in Sag.transitions()})


def transition_meta(name: str) -> dict[str, Any]:
    for t in Sag.transitions():
        if t.name == name:
            return dict(t.custom)
    raise UnknownTransition(f"Overgangen '{name}' findes ikke.")


def sag_transition(
    *,
    actor: User,
    sag: Sag,
    name: str,
    begrundelse: str = "",
    expected_fase: str | None = None,
) -> Sag:
    """Move the case along one named transition, or refuse with the reason.

    The row is locked first, so of two users moving the same case at once exactly one wins; the
    other sees that the phase changed (`expected_fase` is the phase their screen showed).
    """
    require(actor, Action.TRANSITION, sag)
    return sag_move(
        actor=actor, sag=sag, name=name, begrundelse=begrundelse, expected_fase=expected_fase
    )


def sag_move(
    *,
    actor: User,
    sag: Sag,
    name: str,
    begrundelse: str = "",
    expected_fase: str | None = None,
) -> Sag:
    """`sag_transition` for a phase service that has already checked its own permission, such
    as the visitationsudvalg recording its outcome. The guards, the lock and the log apply."""
    meta = transition_meta(name)
    begrundelse = begrundelse.strip()
    if meta.get("reason_required") and not begrundelse:
        raise ValidationError({"begrundelse": f"'{meta['label']}' kræver en begrundelse."})
    with transaction.atomic():
        locked = Sag.objects.select_for_update().get(pk=sag.pk)
        if expected_fase is not None and locked.fase != expected_fase:
            raise TransitionConflict(
                f"Sagen er i mellemtiden flyttet til {locked.get_fase_display().lower()} af en "
                "anden bruger. Opdatér siden og prøv igen.",
            )
        available = {t.name for t in locked.get_available_fase_transitions()}
        if name not in available:
            reasons = blockers(locked, name)
            allowed_from = {t.source for t in Sag.transitions() if t.name == name}
            if locked.fase not in allowed_from and "*" not in allowed_from:
                raise TransitionConflict(
                    f"'{meta['label']}' er ikke mulig, når sagen er i "
                    f"{locked.get_fase_display().lower()}.",
                )
            raise TransitionBlocked(f"'{meta['label']}' er ikke mulig endnu.", reasons=reasons)
        fra = locked.fase
        getattr(locked, name)()
        locked.fase_skiftet = timezone.now()
        locked.save()
        if locked.fase == Fase.AFSLUTTET:
            for frist in Frist.objects.open().filter(sag=locked):
                frist_cancel(
                    frist=frist, begrundelse=f"Sagen er afsluttet: {begrundelse}", actor=actor
                )
        Overgang.objects.create(
            sag=locked,
            navn=name,
            fra_fase=fra,
            til_fase=locked.fase,
            udfoert_af=actor,
            begrundelse=begrundelse,
        )
        audit_record(
            actor=actor,
            action=AuditAction.TRANSITION,
            obj=locked,
            summary=f"{meta['label']}: {Fase(fra).label} → {Fase(locked.fase).label}",
            changes={"fase": {"old": fra, "new": locked.fase}, "begrundelse": begrundelse},
        )
    return locked


@transaction.atomic
def sag_assign(*, actor: User, sag: Sag, sagsbehandler: User) -> Sag:
    require(actor, Action.EDIT, sag)
    if (
        sagsbehandler.role != Role.SAGSBEHANDLER
        or not sagsbehandler.teams.filter(pk=sag.team_id).exists()
    ):
        raise ValidationError(
            {"sagsbehandler": "Sagen kan kun tildeles en sagsbehandler i sagens team."}
        )
    locked = Sag.objects.select_for_update().get(pk=sag.pk)
    old = locked.sagsbehandler_id
    locked.sagsbehandler = sagsbehandler
    locked.save(update_fields=["sagsbehandler"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        summary=f"Sag tildelt {sagsbehandler}",
        changes={"sagsbehandler": {"old": old, "new": sagsbehandler.pk}},
    )
    return locked
