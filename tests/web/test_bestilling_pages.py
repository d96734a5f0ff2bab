"""The caseworker's bestilling and handleplan pages and the finance function's list: the Mads
case ordered from X-Hus through the page (a second send without changes sends nothing), the
blockers of a case without a granted decision, a refusal shown with its reason and the order moved
to another provider, a provider's request answered within its deadline, the handleplan saved,
finalised (not before the decision) and downloaded, read-only for a leader, 404 for everyone
outside the case, and the finance list without the citizen's name or CPR."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import Sag
from orders.models import Anmodning, Bestilling, Handleplan, HandleplanVersion
from orders.services.bestilling import bestilling_accept, bestilling_reject
from orders.services.levering import (
    anmodning_create,
    delmaal_create,
    delmaalsnotat_add,
    handling_add,
    magtanvendelse_report,
)
from tests.catalogs import load_catalog
from tests.factories import OrganisationFactory, UserFactory, sag_in_phase
from tests.forms import form_fields
from tests.mads import Mads, mads_decided, mads_time
from tests.pdf import pdf_text
from vum.accounts.models import Organisation, Role, User
from vum.audit.models import AuditAction, AuditEvent
from vum.deadlines.models import Frist

pytestmark = [pytest.mark.django_db, mads_time]

X_HUS = "Socialpædagogisk opholdssted X-Hus"
GOAL_1 = "Jeg passer selv min lejlighed, laver mad og vasker tøj"
GOAL_3 = "Jeg er stoppet med at ryge hash og har six pack"
FORMAAL = "Jeg har stadig min lejlighed, og jeg har taget en uddannelse."


@pytest.fixture(autouse=True)
def catalog(db: None, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "randers"
    settings.VUM_LETTER_DIR = tmp_path / "breve"
    load_catalog()


@pytest.fixture
def mads(caseworker: User) -> Mads:
    return mads_decided(caseworker)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(sag: Sag) -> str:
    return reverse("orders:sag-bestillinger", args=[sag.pk])


def _send(client: Client, mads: Mads, follow: bool = True):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("orders:bestillinger-send", args=[mads.sag.pk]),
        {"afgoerelse": mads.afgoerelse.pk},
        follow=follow,
    )


def _provider(org: Organisation) -> User:
    return UserFactory(udfoerer=True, organisation=org)


# The case's bestillinger


def test_the_caseworker_orders_the_mads_case_from_x_hus(caseworker: User, mads: Mads) -> None:
    client = _client(caseworker)
    page = client.get(_page(mads.sag)).content.decode()
    assert X_HUS in page
    assert GOAL_1 in page
    assert "Send bestillinger" in page
    assert 'id="mangler"' not in page
    assert Bestilling.objects.count() == 0  # reading sends nothing

    response = _send(client, mads)
    assert response.redirect_chain[-1][0].endswith(_page(mads.sag) + "#bestillinger")
    page = response.content.decode()
    assert "Bestillingen er sendt: " + X_HUS + " (version 1)." in page
    (bestilling,) = Bestilling.objects.all()
    assert bestilling.udfoerer == mads.x_hus
    assert f'id="bestilling-{bestilling.pk}"' in page
    assert ">Sendt<" in page

    # Nothing changed: nothing new is sent, and the caseworker is told so.
    again = _send(client, mads).content.decode()
    assert "Intet er ændret siden de seneste bestillinger" in again
    assert Bestilling.objects.count() == 1

    pdf = client.get(reverse("orders:sag-bestilling-pdf", args=[mads.sag.pk, bestilling.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("inline; filename=")
    assert pdf.content.startswith(b"%PDF")
    assert GOAL_1 in pdf_text(pdf.content)
    assert AuditEvent.objects.filter(
        action=AuditAction.PRINT, object_type="orders.Bestilling", object_id=str(bestilling.pk)
    ).exists()


def test_the_page_is_audited_and_links_from_the_case(caseworker: User, mads: Mads) -> None:
    client = _client(caseworker)
    before = AuditEvent.objects.filter(action=AuditAction.VIEW, summary="Bestillinger læst").count()
    client.get(_page(mads.sag))
    after = AuditEvent.objects.filter(action=AuditAction.VIEW, summary="Bestillinger læst").count()
    assert after == before + 1
    case_page = client.get(reverse("sag_detail", args=[mads.sag.pk])).content.decode()
    assert _page(mads.sag) in case_page
    borger_page = client.get(reverse("borger_detail", args=[mads.sag.borger_id])).content.decode()
    assert reverse("orders:handleplan", args=[mads.sag.borger_id]) in borger_page


def test_a_case_without_a_granted_decision_shows_why_nothing_can_be_sent(
    caseworker: User,
) -> None:
    sag = sag_in_phase("bestilling", team=caseworker.teams.get(), sagsbehandler=caseworker)
    client = _client(caseworker)
    page = client.get(_page(sag)).content.decode()
    assert 'id="mangler"' in page
    assert "Sagen har ingen afgørelse, der bevilger en indsats." in page
    assert "Send bestillinger" not in page
    assert "Der er ikke sendt bestillinger i sagen." in page
    assert (
        reverse("orders:sag-bestillinger", args=[sag.pk])
        in client.get(reverse("sag_detail", args=[sag.pk])).content.decode()
    )

    response = client.post(reverse("orders:bestillinger-send", args=[sag.pk]), {"afgoerelse": 1})
    assert response.status_code == 200
    assert 'id="fejl"' in response.content.decode()
    assert not Bestilling.objects.exists()


def test_the_service_s_blockers_are_shown_in_danish(caseworker: User) -> None:
    """A goal without a provider when two providers are ordered from: the service says why."""
    mads = mads_decided(caseworker, second_provider=True)
    mads.vurdering.maal.filter(raekkefoelge=3).update(udfoerer=None)
    client = _client(caseworker)
    page = client.get(_page(mads.sag)).content.decode()
    assert "Mål 3 har ingen udfører; angiv hvem der støtter det." in page
    assert "Send bestillinger" not in page
    # Posted anyway (an old page): the service refuses, the page says why, nothing is sent.
    response = _send(client, mads, follow=False)
    assert response.status_code == 200
    assert "Mål 3 har ingen udfører" in response.content.decode()
    assert not Bestilling.objects.exists()


def test_a_refusal_is_shown_and_the_order_goes_to_another_provider(
    caseworker: User, mads: Mads
) -> None:
    client = _client(caseworker)
    _send(client, mads)
    bestilling = Bestilling.objects.get()
    bestilling_reject(
        actor=_provider(mads.x_hus),
        bestilling=bestilling,
        begrundelse="Vi har ikke plads før til foråret.",
    )
    page = client.get(_page(mads.sag)).content.decode()
    assert f'id="afvist-{bestilling.pk}"' in page
    assert "Vi har ikke plads før til foråret." in page
    assert ">Afvist<" in page
    skift = reverse("orders:indsats-udfoerer", args=[mads.sag.pk, mads.indsats.pk])
    assert skift in page

    # No provider chosen: a Danish error, the page otherwise intact.
    response = client.post(skift, {"udfoerer": ""})
    assert response.status_code == 200
    assert "Dette felt er påkrævet" in response.content.decode()

    ny = OrganisationFactory(navn="Bostøtten Randers")
    response = client.post(skift, {"udfoerer": ny.pk}, follow=True)
    assert "Bostøtten Randers leverer nu indsatsen" in response.content.decode()
    mads.indsats.refresh_from_db()
    assert mads.indsats.udfoerer == ny
    assert set(mads.vurdering.maal.values_list("udfoerer", flat=True)) == {ny.pk}

    _send(client, mads)
    new = Bestilling.objects.get(udfoerer=ny)
    # A provider that had no order on the case gets version 1; the refusal stays as it was.
    assert (new.version, new.status, new.erstatter) == (1, Bestilling.Status.SENDT, None)
    bestilling.refresh_from_db()
    assert bestilling.status == Bestilling.Status.AFVIST
    assert [g["nr"] for g in new.indhold["maal"]] == [1, 2, 3, 4]
    page = client.get(_page(mads.sag)).content.decode()
    assert f'id="udfoerer-{ny.pk}"' in page
    assert skift not in page  # X-Hus no longer has the indsats


def test_a_refused_order_can_be_sent_again_to_the_same_provider(
    caseworker: User, mads: Mads
) -> None:
    client = _client(caseworker)
    _send(client, mads)
    first = Bestilling.objects.get()
    bestilling_reject(
        actor=_provider(mads.x_hus), bestilling=first, begrundelse="Ring til os først."
    )
    _send(client, mads)
    second = Bestilling.objects.exclude(pk=first.pk).get()
    assert (second.version, second.erstatter, second.status) == (2, first, "sendt")
    # Sent again with no change: nothing new (the refusal is not sent on and on).
    page = _send(client, mads).content.decode()
    assert "Intet er ændret siden de seneste bestillinger" in page
    assert Bestilling.objects.count() == 2
    assert "Ring til os først." in page  # the refused version stays in the list
    assert f'id="afvist-{first.pk}"' not in page  # but it is no longer the open refusal


def test_a_changed_decision_is_sent_as_version_2_with_its_changes(
    caseworker: User, mads: Mads
) -> None:
    client = _client(caseworker)
    _send(client, mads)
    mads.vurdering.maal.filter(raekkefoelge=1).update(forventet_niveau="2")
    _send(client, mads)
    old, new = Bestilling.objects.order_by("version")
    assert (old.status, new.version) == (Bestilling.Status.ERSTATTET, 2)
    page = client.get(_page(mads.sag)).content.decode()
    assert "Ændringer siden version 1" in page
    assert "forventet niveau ændret" in page


def test_the_provider_s_request_is_answered_and_meets_its_deadline(
    caseworker: User, mads: Mads
) -> None:
    client = _client(caseworker)
    _send(client, mads)
    bestilling = Bestilling.objects.get()
    provider = _provider(mads.x_hus)
    bestilling_accept(actor=provider, bestilling=bestilling)
    bestilling.refresh_from_db()
    anmodning = anmodning_create(
        actor=provider,
        bestilling=bestilling,
        art=Anmodning.Art.REVISITATION,
        begrundelse="Mads er flyttet og har brug for mere støtte.",
    )
    magtanvendelse_report(
        actor=provider,
        bestilling=bestilling,
        tidspunkt=timezone.now() - timedelta(hours=2),
        type="fastholdelse",
        beskrivelse="Mads blev holdt tilbage i døren.",
    )
    delmaal = delmaal_create(
        actor=provider,
        bestilling=bestilling,
        formulering="Mads laver mad selv to gange om ugen.",
        indsatsmaal=list(mads.vurdering.maal.filter(raekkefoelge=1)),
    )
    delmaalsnotat_add(
        actor=provider, bestilling=bestilling, delmaal=delmaal, tekst="Lavede pasta i dag."
    )
    page = client.get(_page(mads.sag)).content.decode()
    assert 'id="anmodninger"' in page
    assert 'id="magtanvendelser"' in page
    assert "Mads er flyttet og har brug for mere støtte." in page
    assert "Svar senest" in page
    assert "Mads blev holdt tilbage i døren." in page
    assert "Mads laver mad selv to gange om ugen." in page
    assert "Lavede pasta i dag." in page
    svar = reverse("orders:anmodning-svar", args=[mads.sag.pk, anmodning.pk])
    assert svar in page

    response = client.post(svar, {"svar": "  "})
    assert response.status_code == 200
    assert "Skriv svaret til udføreren." in response.content.decode()

    response = client.post(svar, {"svar": "Vi holder møde den 1. december."}, follow=True)
    assert "Svaret er sendt til udføreren." in response.content.decode()
    anmodning.refresh_from_db()
    assert anmodning.svar == "Vi holder møde den 1. december."
    assert anmodning.frist is not None
    assert anmodning.frist.status == Frist.Status.OVERHOLDT
    assert svar not in response.content.decode()

    # Answered twice (an old page): the service's message is shown, nothing changes.
    again = client.post(svar, {"svar": "Igen."})
    assert again.status_code == 200
    assert "Anmodningen er allerede besvaret." in again.content.decode()

    other = sag_in_phase("bestilling", team=caseworker.teams.get(), sagsbehandler=caseworker)
    wrong = reverse("orders:anmodning-svar", args=[other.pk, anmodning.pk])
    assert client.post(wrong, {"svar": "x"}).status_code == 404


# The handleplan


def _plan_url(borger_id: int, name: str = "orders:handleplan", *args: int) -> str:
    return reverse(name, args=[borger_id, *args])


# A plan not saved before is shown at version 1.
PLAN_POST = {
    "version": "1",
    "tilbudt": "True",
    "oensket": "True",
    "formaal": FORMAAL,
    "bolig": "Egen lejlighed i Randers.",
    "samarbejdspartnere": "Rusmiddelcenter Randers, VUC",
    "koordinering": "Sagsbehandler i Socialafdelingen",
}


def test_reading_the_handleplan_writes_nothing_and_saving_is_audited(
    caseworker: User, mads: Mads
) -> None:
    client = _client(caseworker)
    borger_id = mads.sag.borger_id
    page = client.get(_plan_url(borger_id)).content.decode()
    assert not Handleplan.objects.exists()
    assert "Under udarbejdelse" in page
    assert "Ikke gemt endnu" in page
    assert GOAL_1 in page
    assert X_HUS in page
    assert "01.10.2026" in page  # the indsats' expected start
    assert "91000" not in page  # no prices
    assert "timer" not in page.lower().split("<main", 1)[1]  # no hours

    response = client.post(_plan_url(borger_id), PLAN_POST, follow=True)
    assert "Handleplanen er gemt." in response.content.decode()
    plan = Handleplan.objects.get()
    assert plan.formaal == FORMAAL
    assert plan.bolig == "Egen lejlighed i Randers."
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="orders.Handleplan", object_id=str(plan.pk)
    ).exists()


def test_a_stale_plan_save_is_refused_and_keeps_the_typing(caseworker: User, mads: Mads) -> None:
    """Two tabs open the plan; the second tab's save after the first's is refused (409) with the
    first's text shown, and saving again after a look keeps both."""
    url = _plan_url(mads.sag.borger_id)
    first, second = _client(caseworker), _client(caseworker)
    first_form = form_fields(first.get(url).content.decode(), url)
    second_form = form_fields(second.get(url).content.decode(), url)
    assert first_form["version"] == second_form["version"] == "1"
    assert first.post(url, {**first_form, "bolig": "Egen lejlighed."}).status_code == 302
    refused = second.post(url, {**second_form, "formaal": FORMAAL})
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Dine ændringer er ikke gemt endnu" in html
    assert "Egen lejlighed." in html
    shown = form_fields(html, url)
    assert (shown["formaal"], shown["version"]) == (FORMAAL, "2")
    assert Handleplan.objects.get().formaal == ""
    assert second.post(url, {**shown, "bolig": "Egen lejlighed."}).status_code == 302
    plan = Handleplan.objects.get()
    assert (plan.bolig, plan.formaal, plan.version) == ("Egen lejlighed.", FORMAAL, 3)


def test_a_plan_not_offered_needs_a_reason_and_keeps_the_input(caseworker: User) -> None:
    sag = sag_in_phase("sagsvurdering", team=caseworker.teams.get(), sagsbehandler=caseworker)
    client = _client(caseworker)
    response = client.post(
        _plan_url(sag.borger_id),
        {"version": "1", "tilbudt": "False", "formaal": "Mit eget formål."},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Skriv hvorfor borgeren ikke er tilbudt en handleplan." in page
    assert "Mit eget formål." in page
    assert not Handleplan.objects.exists()


def test_the_plan_is_not_finalised_before_the_decision(caseworker: User) -> None:
    sag = sag_in_phase("sagsvurdering", team=caseworker.teams.get(), sagsbehandler=caseworker)
    client = _client(caseworker)
    client.post(_plan_url(sag.borger_id), PLAN_POST)
    response = client.post(_plan_url(sag.borger_id, "orders:handleplan-finalise"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="faerdiggoer-fejl"' in page
    assert "Handleplanen kan først færdiggøres, når der er truffet afgørelse." in page
    assert not HandleplanVersion.objects.exists()


def test_the_plan_is_finalised_after_the_decision_with_a_pdf(caseworker: User, mads: Mads) -> None:
    client = _client(caseworker)
    borger_id = mads.sag.borger_id
    client.post(_plan_url(borger_id), PLAN_POST)
    response = client.post(_plan_url(borger_id, "orders:handleplan-finalise"), follow=True)
    page = response.content.decode()
    assert "Handleplanen er færdiggjort som version 1." in page
    version = HandleplanVersion.objects.get()
    assert version.nummer == 1
    assert "Udarbejdet" in page
    pdf_url = _plan_url(borger_id, "orders:handleplan-pdf", 1)
    assert pdf_url in page

    pdf = client.get(pdf_url)
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'inline; filename="handleplan-version-1.pdf"'
    assert pdf.content.startswith(b"%PDF")
    assert FORMAAL in pdf_text(pdf.content)
    assert client.get(_plan_url(borger_id, "orders:handleplan-pdf", 2)).status_code == 404

    # The goals change: the page says the plan is out of date.
    mads.vurdering.maal.filter(raekkefoelge=1).update(forventet_niveau="2")
    page = client.get(_plan_url(borger_id)).content.decode()
    assert 'id="foraeldet"' in page


def test_a_leader_reads_the_handleplan_and_the_orders_without_forms(
    caseworker: User, mads: Mads
) -> None:
    _client(caseworker).post(_plan_url(mads.sag.borger_id), PLAN_POST)
    leder = UserFactory(leder=True, teams=[mads.sag.team])
    client = _client(leder)
    page = client.get(_plan_url(mads.sag.borger_id)).content.decode()
    assert 'id="laeseadgang"' in page
    assert FORMAAL in page
    assert "Gem handleplan" not in page
    assert "Færdiggør ny version" not in page
    assert client.post(_plan_url(mads.sag.borger_id), PLAN_POST).status_code == 404
    finalise = _plan_url(mads.sag.borger_id, "orders:handleplan-finalise")
    assert client.post(finalise).status_code == 404

    page = client.get(_page(mads.sag)).content.decode()
    assert 'id="laeseadgang"' in page
    assert "Send bestillinger" not in page
    assert _send(client, mads, follow=False).status_code == 404
    assert not Bestilling.objects.exists()


def test_providers_and_other_teams_get_404_everywhere(caseworker: User, mads: Mads) -> None:
    client = _client(caseworker)
    _send(client, mads)
    client.post(_plan_url(mads.sag.borger_id), PLAN_POST)
    client.post(_plan_url(mads.sag.borger_id, "orders:handleplan-finalise"))
    bestilling = Bestilling.objects.get()
    provider = _provider(mads.x_hus)
    anmodning = anmodning_create(
        actor=provider, bestilling=bestilling, art="revisitation", begrundelse="Mere støtte."
    )
    sag, borger_id = mads.sag.pk, mads.sag.borger_id
    gets = [
        reverse("orders:sag-bestillinger", args=[sag]),
        reverse("orders:sag-bestilling-pdf", args=[sag, bestilling.pk]),
        reverse("orders:handleplan", args=[borger_id]),
        reverse("orders:handleplan-pdf", args=[borger_id, 1]),
        reverse("orders:oekonomi"),
    ]
    posts = [
        (reverse("orders:bestillinger-send", args=[sag]), {"afgoerelse": mads.afgoerelse.pk}),
        (reverse("orders:indsats-udfoerer", args=[sag, mads.indsats.pk]), {"udfoerer": 1}),
        (reverse("orders:anmodning-svar", args=[sag, anmodning.pk]), {"svar": "Nej."}),
        (reverse("orders:handleplan", args=[borger_id]), PLAN_POST),
        (reverse("orders:handleplan-finalise", args=[borger_id]), {}),
    ]
    for outsider in (provider, UserFactory()):
        other = _client(outsider)
        for url in gets:
            assert other.get(url).status_code == 404, (outsider.role, url)
        for url, data in posts:
            assert other.post(url, data).status_code == 404, (outsider.role, url)
    assert Bestilling.objects.count() == 1
    assert HandleplanVersion.objects.count() == 1
    anmodning.refresh_from_db()
    assert anmodning.besvaret is None


# The finance function


def test_the_finance_list_has_the_payment_facts_and_no_citizen(
    caseworker: User, mads: Mads
) -> None:
    team = mads.sag.team
    team.ean_nummer = "5798000000001"
    team.save()
    mads.indsats.konto = "5.38.50.1"
    mads.indsats.save()
    _send(_client(caseworker), mads)
    bestilling = Bestilling.objects.get()
    # Named so that no random name can be the citizen's ("Mads" is a common one).
    oekonomi = UserFactory(role=Role.OEKONOMI, first_name="Økonomi", last_name="Medarbejder")
    client = _client(oekonomi)
    assert client.get(reverse("home")).url == reverse("orders:oekonomi")
    response = client.get(reverse("orders:oekonomi"))
    page = response.content.decode()
    assert f'id="bestilling-{bestilling.pk}"' in page
    for fact in (X_HUS, "1012345678", "5798000000001", "5.38.50.1", "01.10.2026"):
        assert fact in page, fact
    # The price as Danish money, as the order's frozen content has it in kroner ("91000.00").
    assert bestilling.indhold["pris_i_alt"] == "91000.00"
    assert '<td class="num nowrap">91.000,00 kr.</td>' in page
    assert "91000.00" not in page
    # The table is in a region a keyboard can reach and scroll.
    assert 'tabindex="0" role="region" aria-label="Bestillinger til betaling"' in page
    borger = mads.sag.borger
    for secret in (borger.fornavn, borger.efternavn, borger.cpr, borger.cpr_formatted):
        assert secret not in page
    assert "Bestillinger til betaling" in page  # the nav entry and the heading

    assert _client(caseworker).get(reverse("orders:oekonomi")).status_code == 404


# Query counts


@pytest.mark.parametrize("second_provider", [False, True])
def test_the_pages_query_counts_do_not_grow_with_providers(
    caseworker: User, django_assert_max_num_queries, second_provider: bool
) -> None:  # type: ignore[no-untyped-def]
    mads = mads_decided(caseworker, second_provider=second_provider)
    client = _client(caseworker)
    _send(client, mads)
    assert Bestilling.objects.count() == (2 if second_provider else 1)
    for b in Bestilling.objects.all():
        provider = _provider(b.udfoerer)
        bestilling_accept(actor=provider, bestilling=b)
        for goal in b.maal.all():
            delmaal = delmaal_create(
                actor=provider, bestilling=b, formulering=f"Delmål {goal.pk}", indsatsmaal=[goal]
            )
            delmaalsnotat_add(actor=provider, bestilling=b, delmaal=delmaal, tekst="Ok.")
            handling_add(actor=provider, bestilling=b, delmaal=delmaal, beskrivelse="Ja")
        anmodning_create(
            actor=provider, bestilling=b, art="revisitation", begrundelse="Mere støtte."
        )
        magtanvendelse_report(
            actor=provider,
            bestilling=b,
            tidspunkt=timezone.now() - timedelta(hours=1),
            type="fastholdelse",
            beskrivelse="Holdt.",
        )
    client.post(_plan_url(mads.sag.borger_id), PLAN_POST)
    client.post(_plan_url(mads.sag.borger_id, "orders:handleplan-finalise"))
    with django_assert_max_num_queries(38):
        assert client.get(_page(mads.sag)).status_code == 200
    with django_assert_max_num_queries(36):
        assert client.get(_plan_url(mads.sag.borger_id)).status_code == 200


def test_an_amount_is_shown_as_danish_money() -> None:
    kr = Template("{% load dansk_tal %}{{ value|kr }}")
    for value, shown in [
        ("93600.00", "93.600,00 kr."),
        ("1234567.5", "1.234.567,50 kr."),
        (Decimal("0.005"), "0,01 kr."),
        (-1500, "-1.500,00 kr."),
        ("", ""),
        (None, ""),
        ("ikke et tal", "ikke et tal"),
    ]:
        assert kr.render(Context({"value": value})) == shown, value
    whole = Template("{% load dansk_tal %}{{ 104000|kr:0 }} {{ 1234567|tal }} {{ x|tal }}")
    assert whole.render(Context({"x": Decimal("12.5")})) == "104.000 kr. 1.234.567 12,5"
