"""The reintegration pages: who reaches them (outsiders 404, anonymous to log-in, analysts and
coordinators kept off people's files), and the plan, survey and configuration forms."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from orienta.accounts.roles import Role
from orienta.audit.models import AuditEvent
from orienta.referrals.models import Referral
from orienta.reintegration import services
from orienta.reintegration.models import (
    AssistanceItem,
    CommunityProject,
    ReintegrationPlan,
    RssConfiguration,
    SurveyRound,
)
from tests.cases_helpers import register_case
from tests.reintegration_helpers import (
    ANSWERS,
    SOURCE,
    WEIGHTS,
    configuration_in_force,
    make_configuration,
)

pytestmark = pytest.mark.usefixtures("nrm")


def _english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def case(colleague: Any, organisation: Any) -> Any:
    """A case of A, registered by (and assigned to) the caseworker `colleague`, with a plan, an
    item and a project link."""
    case = register_case(colleague, organisation)
    plan = services.start_plan(acting_user=colleague, case=case)
    services.save_item(
        acting_user=colleague,
        plan=plan,
        values={
            "dimension": "social",
            "assistance_type": "housing",
            "amount": 5000,
            "currency": "HTG",
            "status": "planned",
        },
    )
    project = services.save_project(
        acting_user=colleague,
        values={"name": "Marché de Ouanaminthe", "organisation": organisation},
    )
    services.link_project(
        acting_user=colleague, plan=plan, project=project, expected_version=plan.version
    )
    return case


def _case_urls(case: Any) -> tuple[list[str], list[str]]:
    item = AssistanceItem.objects.get(plan__case=case)
    base = f"/cases/{case.pk}/reintegration/"
    reads = [base, f"{base}components/", f"{base}assistance/", f"{base}assistance/{item.pk}/"]
    reads.append(f"{base}rounds/new/")
    posts = [f"{base}start/", f"{base}projects/", f"{base}components/", f"{base}assistance/"]
    posts.append(f"{base}rounds/new/")
    return reads, posts


CONFIG_URLS = ["/reintegration/rss/", "/reintegration/rss/1/"]
CONFIG_POSTS = [
    "/reintegration/rss/1/",
    "/reintegration/rss/1/in-force/",
    "/reintegration/rss/1/new-version/",
    "/reintegration/rss/rescore/",
]


# --- Access --------------------------------------------------------------------------------


def test_outsiders_get_404_on_every_case_page(client_for, outsider, case) -> None:
    make_configuration()
    client = client_for(outsider)
    reads, posts = _case_urls(case)
    for url in reads:
        assert client.get(url).status_code == 404, url
    plan = ReintegrationPlan.objects.get(case=case)
    for url in posts:
        response = client.post(url, {"version": plan.version, "economic_status": "achieved"})
        assert response.status_code == 404, url
    assert ReintegrationPlan.objects.get(case=case).version == plan.version


def test_a_caseworker_not_on_the_case_gets_404(client_for, make_user, organisation, case) -> None:
    other = make_user("other@a.example", organisation, Role.CASEWORKER)
    reads, _posts = _case_urls(case)
    assert client_for(other).get(reads[0]).status_code == 404


def test_anonymous_visitors_go_to_log_in(case) -> None:
    reads, posts = _case_urls(case)
    for url in [*reads, *CONFIG_URLS, "/reintegration/projects/"]:
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    for url in [*posts, *CONFIG_POSTS]:
        assert "/login/" in Client().post(url)["Location"], url


def test_analysts_reach_no_person_level_data(client_for, analyst, case) -> None:
    make_configuration()
    client = client_for(analyst)
    reads, posts = _case_urls(case)
    for url in [*reads, *CONFIG_URLS, "/reintegration/projects/"]:
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert case.person.family_name not in response.content.decode()
    for url in [*posts, *CONFIG_POSTS]:
        assert client.post(url).status_code in (403, 404), url


def test_coordinators_configure_the_survey_but_stay_out_of_case_files(
    client_for, coordinator, case
) -> None:
    make_configuration()
    client = client_for(coordinator)
    for url in CONFIG_URLS:
        assert client.get(url).status_code == 200, url
    # As on the case pages: a coordinator holds no case capability, hence 403 (not the case
    # file, not even whether it exists).
    reads, posts = _case_urls(case)
    for url in reads:
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert case.person.family_name not in response.content.decode()
    for url in posts:
        assert client.post(url).status_code in (403, 404), url


def test_caseworkers_do_not_configure_the_survey(client_for, colleague) -> None:
    make_configuration()
    client = client_for(colleague)
    for url in CONFIG_URLS:
        assert client.get(url).status_code == 403, url
    for url in CONFIG_POSTS:
        assert client.post(url).status_code == 403, url


def test_the_case_page_reads_for_the_team_and_is_audited(
    client_for, colleague, owner, case
) -> None:
    for user in (colleague, owner):  # the caseworker on the case, the supervisor of A
        response = _english(client_for(user)).get(f"/cases/{case.pk}/reintegration/")
        page = response.content.decode()
        assert response.status_code == 200
        assert "Marché de Ouanaminthe" in page and "Housing" in page
    assert (
        AuditEvent.objects.filter(action="cases.case.viewed", object_id=str(case.pk)).count() == 2
    )
    file = client_for(colleague).get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/reintegration/" in file


def test_navigation_entries(client_for, coordinator, colleague) -> None:
    assert "/reintegration/rss/" in client_for(coordinator).get("/").content.decode()
    page = client_for(colleague).get("/").content.decode()
    assert "/reintegration/projects/" in page and "/reintegration/rss/" not in page


# --- The plan's forms ----------------------------------------------------------------------


def test_components_form_and_a_conflict_is_a_message(client_for, colleague, owner, case) -> None:
    url = f"/cases/{case.pk}/reintegration/components/"
    plan = ReintegrationPlan.objects.get(case=case)
    form = {
        "version": plan.version,
        "economic_objectives": "Relancer l'élevage",
        "economic_status": "in_progress",
        "social_status": "not_started",
        "psychosocial_status": "not_started",
    }
    assert client_for(colleague).get(url).status_code == 200
    response = client_for(colleague).post(url, form)
    assert response.status_code == 302
    # The supervisor posts from the page read before that change.
    response = _english(client_for(owner)).post(url, {**form, "social_status": "achieved"})
    assert response.status_code == 200
    assert "Someone else changed this" in response.content.decode()
    plan.refresh_from_db()
    assert plan.economic_status == "in_progress" and plan.social_status == "not_started"


def test_item_form_refuses_a_referral_of_another_case(
    client_for, colleague, organisation, provider, case
) -> None:
    other_case = register_case(colleague, organisation, person={"given_name": "Autre"})
    theirs = Referral.objects.create(
        case=other_case, sender_organisation=organisation, recipient_organisation=provider
    )
    url = f"/cases/{case.pk}/reintegration/assistance/"
    form = {
        "dimension": "economic",
        "assistance_type": "business_start_up",
        "in_kind": "on",
        "in_kind_description": "Machine à coudre",
        "status": "planned",
        "provider": provider.pk,
        "referral": theirs.pk,
    }
    client = client_for(colleague)
    response = client.post(url, form)
    assert response.status_code == 200 and AssistanceItem.objects.count() == 1
    response = client.post(url, {**form, "referral": "", "amount": "100"})
    assert response.status_code == 200  # in kind and an amount: refused with a message
    assert AssistanceItem.objects.count() == 1
    response = client.post(url, {**form, "referral": ""})
    assert response.status_code == 302
    item = AssistanceItem.objects.get(assistance_type="business_start_up")
    assert item.in_kind and item.provider == provider
    edit = f"/cases/{case.pk}/reintegration/assistance/{item.pk}/"
    response = _english(client).post(edit, {**form, "referral": "", "version": 7})
    assert "Someone else changed this" in response.content.decode()


def test_linking_a_project_with_a_stale_version_is_a_message(client_for, colleague, case) -> None:
    project = CommunityProject.objects.create(name="Atelier", organisation=case.organisation)
    url = f"/cases/{case.pk}/reintegration/projects/"
    response = _english(client_for(colleague)).post(
        url, {"project": project.pk, "version": 1}, follow=True
    )
    assert response.status_code == 200 and "Someone else changed this" in response.content.decode()
    response = client_for(colleague).post(url, {"project": "not-a-uuid", "version": 3})
    assert response.status_code == 302
    plan = ReintegrationPlan.objects.get(case=case)
    client_for(colleague).post(url, {"project": project.pk, "version": plan.version})
    assert plan.community_projects.filter(pk=project.pk).exists()


def test_community_projects_list_and_form(client_for, colleague, organisation) -> None:
    client = client_for(colleague)
    response = client.post(
        "/reintegration/projects/new/",
        {"name": "Jardin communautaire", "place": "Belladère", "organisation": organisation.pk},
    )
    assert response.status_code == 302
    project = CommunityProject.objects.get()
    assert "Jardin communautaire" in client.get("/reintegration/projects/").content.decode()
    response = client.post(
        f"/reintegration/projects/{project.pk}/",
        {"name": "", "organisation": organisation.pk, "version": project.version},
    )
    assert response.status_code == 200  # a name is required


# --- The survey on the case page -----------------------------------------------------------


def _round_form(**extra: Any) -> dict[str, Any]:
    form = {
        "months": "0",
        "interviewed_on": timezone.localdate().isoformat(),
        "interviewer": "Enquêtrice",
    }
    form.update({f"q_{code}": value for code, value in ANSWERS.items()})
    form.update(extra)
    return form


def test_a_round_without_a_weight_set_says_so_and_is_rescored_from_the_page(
    client_for, colleague, coordinator, case
) -> None:
    draft = make_configuration()
    client = _english(client_for(colleague))
    form_page = client.get(f"/cases/{case.pk}/reintegration/rounds/new/").content.decode()
    assert 'type="radio"' in form_page and "Question E1a?" in form_page
    response = client.post(f"/cases/{case.pk}/reintegration/rounds/new/", _round_form())
    assert response.status_code == 302
    page = client.get(f"/cases/{case.pk}/reintegration/").content.decode()
    assert "not computed: no weight set in force" in page
    # The coordinator enters the weights on the page, puts them in force, scores the round.
    admin = _english(client_for(coordinator))
    weights = {f"dim_{code}": dim for code, (dim, _comp) in WEIGHTS.items()}
    weights |= {f"comp_{code}": comp for code, (_dim, comp) in WEIGHTS.items()}
    response = admin.post(
        f"/reintegration/rss/{draft.number}/",
        {"revision": 1, "weights_source": SOURCE, "rounds": "0, 3, 6, 12", **weights},
    )
    assert response.status_code == 302
    detail = admin.get(f"/reintegration/rss/{draft.number}/").content.decode()
    assert "✓" in detail and "(must be 1)" not in detail
    admin.post(f"/reintegration/rss/{draft.number}/in-force/", {"revision": 2})
    assert RssConfiguration.objects.get().status == "in_force"
    assert "1 survey round is waiting" in admin.get("/reintegration/rss/").content.decode()
    admin.post("/reintegration/rss/rescore/")
    survey = SurveyRound.objects.get()
    assert survey.scored_with == draft and abs(survey.composite - 0.41) < 1e-9
    page = client.get(f"/cases/{case.pk}/reintegration/").content.decode()
    assert "0.73" in page and "0.41" in page and SOURCE in page


def test_putting_in_force_incomplete_shows_why(client_for, coordinator) -> None:
    draft = make_configuration()
    admin = _english(client_for(coordinator))
    response = admin.post(
        f"/reintegration/rss/{draft.number}/",
        {"revision": 1, "weights_source": "", "rounds": "0, 3", "dim_E1": "0.7", "dim_E2": "0.4"},
    )
    assert response.status_code == 302
    detail = admin.get(f"/reintegration/rss/{draft.number}/").content.decode()
    assert "(must be 1)" in detail and "1.1" in detail
    response = admin.post(
        f"/reintegration/rss/{draft.number}/in-force/", {"revision": 2}, follow=True
    )
    assert "cannot be put in force" in response.content.decode()
    assert RssConfiguration.objects.get().status == "draft"
    # Bad input is a message, never a 500.
    for bad in ({"rounds": "zero"}, {"rounds": "0", "dim_E1": "abc"}, {"revision": "x"}):
        response = admin.post(f"/reintegration/rss/{draft.number}/", {"revision": 2, **bad})
        assert response.status_code == 200, bad


def test_a_frozen_version_is_shown_not_edited_and_copied_to_change(client_for, coordinator) -> None:
    first = configuration_in_force(coordinator)
    admin = _english(client_for(coordinator))
    detail = admin.get(f"/reintegration/rss/{first.number}/").content.decode()
    assert "This version is frozen" in detail and 'name="dim_E1"' not in detail
    admin.post(f"/reintegration/rss/{first.number}/", {"revision": first.revision, "rounds": "1"})
    first.refresh_from_db()
    assert first.rounds == [0, 3, 6, 12]
    response = admin.post(f"/reintegration/rss/{first.number}/new-version/")
    assert response["Location"] == "/reintegration/rss/2/"
    assert RssConfiguration.objects.get(number=2).status == "draft"


def test_a_scored_round_shows_its_weight_set_and_a_missing_indicator(
    client_for, colleague, coordinator, case
) -> None:
    configuration_in_force(coordinator)
    client = _english(client_for(colleague))
    client.post(f"/cases/{case.pk}/reintegration/rounds/new/", _round_form())
    response = client.post(
        f"/cases/{case.pk}/reintegration/rounds/new/", _round_form(months="3", q_S2="")
    )
    assert response.status_code == 302
    response = client.post(
        f"/cases/{case.pk}/reintegration/rounds/new/", _round_form(months="6", q_E1b="11")
    )
    assert response.status_code == 200 and SurveyRound.objects.count() == 2
    page = client.get(f"/cases/{case.pk}/reintegration/").content.decode()
    assert "version 1" in page
    assert "not computed: answers missing for S2" in page
    assert "<svg" in page and "score by round" in page


def test_the_pack_draft_page_lists_its_fifteen_indicators(client_for, coordinator) -> None:
    from orienta.reintegration.packs import load_rss

    loaded = load_rss()
    page = _english(client_for(coordinator)).get(
        f"/reintegration/rss/{loaded.configuration.number}/"
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count('name="dim_') == 15 and text.count('name="comp_') == 15
    assert "Say where the weights come from" in text and "disabled" in text


def test_weights_posted_to_a_version_put_in_force_meanwhile_are_refused_with_a_message(
    client_for, coordinator
) -> None:
    """A coordinator's tab still shows the draft; another puts it in force. Saving from the tab
    changes nothing and says why, rather than showing the page again in silence."""
    draft = configuration_in_force(coordinator)  # in force since the tab was opened
    admin = _english(client_for(coordinator))
    posted = {"revision": draft.revision, "rounds": "0, 3", "weights_source": "Annex 4, p. 2"}
    posted |= {f"dim_{code}": "0.5" for code in WEIGHTS}
    response = admin.post(f"/reintegration/rss/{draft.number}/", posted)
    assert response.status_code == 200
    assert "cannot change: make a new version of it" in response.content.decode()
    draft.refresh_from_db()
    assert draft.rounds == [0, 3, 6, 12] and draft.weights_source == SOURCE
