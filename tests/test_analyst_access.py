"""No person-level data is reachable by the analyst role.

One case holds everything a person's file can hold: the person (checked in at the border from a
convoy with its manifest, so an arrival with its reception steps), consents, a screening, a need,
a note, a task, a referral sent to a provider with an off-platform link, a reintegration plan
with an item and a project, and a scored survey round; beside it, a duplicate pair merged, a
protocol breach, an advance-list token. The analyst belongs to the case's own organisation.

Every URL pattern of the `cases`, `referrals`, `identity`, `reintegration` and `returns`
namespaces is enumerated (not listed by hand: a new page that forgets its capability check makes
this test fail), each path converter filled with the real objects' keys. As the analyst, a GET
is 403 or 404 (405 for a form that only takes POST), never a page, except the aggregate and
reference pages listed in ALLOWED, which must not show the person's name or the case's reference;
a POST with an empty body changes nothing (403, 404 or 405). Every endpoint of the API about
cases, persons, identity, referrals and returns answers the analyst's own token 403 or 404.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.core.management import call_command
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, include, path
from django.utils import timezone
from pypdf import PdfReader

from orienta.accounts import services as account_services
from orienta.accounts.access import has_capability
from orienta.api.urls import api
from orienta.cases import services as case_services
from orienta.cases.models import Case
from orienta.cases.models.choices import ConsentPurpose
from orienta.identity.candidates import forget_model
from orienta.identity.models import DuplicatePair
from orienta.identity.services import merge_pair
from orienta.referrals import external
from orienta.referrals import services as referral_services
from orienta.referrals.services import ReferralDraft
from orienta.referrals.views.answers import ANSWERS
from orienta.reintegration import services as reintegration_services
from orienta.reintegration import surveys
from orienta.returns import checkin, compliance
from orienta.returns import services as returns_services
from orienta.returns.models import (
    Holiday,
    ManifestRow,
    Movement,
    Protocol,
    ProtocolRule,
    SopRule,
    SopRuleSet,
    Violation,
)
from tests.cases_helpers import register_case, registration_consent
from tests.referrals_helpers import make_agreement, make_service
from tests.reintegration_helpers import ANSWERS as SURVEY_ANSWERS
from tests.reintegration_helpers import configuration_in_force
from tests.returns_helpers import HEADER, load_haiti, local, manifest, movement, profile

pytestmark = pytest.mark.django_db

NAMESPACES = ("cases", "referrals", "identity", "reintegration", "returns")
GIVEN, FAMILY = "Wilner", "Dorsainvil"
LIST = HEADER + f"{FAMILY};{GIVEN};M;12/04/1991;HT;\nJoseph;Nadège;F;03/03/1994;HT;\n"

#: The pages an analyst may open, with the capability that lets them: figures in aggregate, and
#: the reference texts of the protocols and procedures. Never a person.
ALLOWED: dict[str, str] = {
    "referrals:dashboard": "referrals.view_mechanism_statistics",
    "referrals:pathway": "directory.view_organisations",
    "referrals:pathway_pdf": "directory.view_organisations",
    "returns:statistics": "returns.view_statistics",
    "returns:statistics_csv": "returns.view_statistics",
    "returns:compliance": "returns.view_compliance",
    "returns:violation": "returns.view_compliance",
    "returns:compliance_report_pdf": "returns.view_compliance",
    "returns:compliance_report_csv": "returns.view_compliance",
    "returns:protocols": "returns.view_compliance",
    "returns:protocol": "returns.view_compliance",
    "returns:protocol_document": "returns.view_compliance",
    "returns:procedures": "returns.view_compliance",
    "returns:sop_guide": "returns.view_compliance",
    "returns:entry_points": "returns.view_compliance",
    "returns:consulates": "returns.view_compliance",
    "returns:holidays": "returns.view_compliance",
}

#: The API's paths about people's files (the first segment after /api/v1/).
API_SECTIONS = ("cases", "persons", "identity", "referrals", "referral-", "services", "returns")
#: The API's aggregate endpoints an analyst may read.
API_ALLOWED = {("get", "/api/v1/referrals/dashboard")}
#: Endpoints that take another credential than a personal token (the deporting authorities'
#: advance-list token): the analyst's token is no credential there (401).
API_OTHER_CREDENTIAL = {"/api/v1/returns/advance-lists"}

#: The apps whose rows a refused request must leave as they were.
WATCHED_APPS = ("cases", "referrals", "returns", "reintegration", "identity", "directory")


@pytest.fixture
def world(
    nrm: None,
    organisation: Any,
    provider: Any,
    focal_point: Any,
    owner: Any,
    colleague: Any,
    reception_officer: Any,
    coordinator: Any,
) -> dict[str, Any]:
    """The case and everything hanging on it, through the real services."""
    load_haiti()
    make_agreement(organisation, provider)
    service = make_service(provider, "SHEL-TEMP", email="focal@provider.example")

    # At the border: a convoy with its list, the person checked in, a breach about them.
    convoy = movement(
        reception_officer,
        organisation,
        reference="CONVOY-77",
        scheduled_at=timezone.now() - timedelta(hours=1),
    )
    manifest(reception_officer, convoy, LIST)
    row = ManifestRow.objects.get(given_name=GIVEN)
    arrival = checkin.check_in(
        acting_user=reception_officer,
        movement=convoy,
        profile=profile(sex="male", family_separated=True),
        listed=row,
    )
    night = movement(
        reception_officer,
        organisation,
        entry_point="HT-PAP-AIR",
        reference="CONVOY-78",
        scheduled_at=local("2026-11-04T20:00"),
    )
    compliance.evaluate(Movement.objects.all())
    case = arrival.case
    assert case is not None and case.person.family_name == FAMILY

    # The caseworker takes the case over and works on it.
    case_services.assign(
        acting_user=owner, case=case, assignee=colleague, expected_version=case.version
    )
    case.refresh_from_db()
    case_services.record_consent(
        acting_user=colleague,
        case=case,
        data=registration_consent(purpose=ConsentPurpose.REFERRAL, recipient_organisation=provider),
    )
    case_services.record_screening(acting_user=colleague, case=case, answers=[], specific_needs=[])
    need = case_services.add_need(
        acting_user=colleague,
        case=case,
        term=case_services.find_term("SHEL-TEMP"),
        urgency="high",
    )
    case_services.add_note(
        acting_user=colleague,
        case=case,
        body=f"{GIVEN} a besoin d'un abri",
        topic="general",
        confidentiality="standard",
    )
    task = case_services.add_task(
        acting_user=colleague, case=case, title="Appeler la famille", due_on=None
    )
    referral = referral_services.refer(
        acting_user=colleague,
        draft=ReferralDraft(case=case, need=need, service_at_location=service),
    )
    link, token = external.issue(referral=referral, acting_user=colleague)

    # Reintegration: a plan, an item, a project, a scored survey round.
    configuration = configuration_in_force(coordinator)
    plan = reintegration_services.start_plan(acting_user=colleague, case=case)
    item = reintegration_services.save_item(
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
    project = reintegration_services.save_project(
        acting_user=colleague,
        values={"name": "Marché de Ouanaminthe", "organisation": organisation},
    )
    plan.refresh_from_db()
    reintegration_services.link_project(
        acting_user=colleague, plan=plan, project=project, expected_version=plan.version
    )
    survey = surveys.record_round(
        acting_user=colleague,
        case=case,
        data=surveys.RoundData(
            months=0,
            interviewed_on=timezone.localdate(),
            interviewer="Enquêtrice",
            answers=dict(SURVEY_ANSWERS),
        ),
    )
    assert survey.composite is not None

    # The registry: the same woman registered twice, the pair found and merged.
    for given in ("Rose", "Rosé"):
        register_case(
            colleague, organisation, person={"given_name": given, "family_name": "Alexis"}
        )
    forget_model()
    call_command("find_duplicates", verbosity=0)
    pair = DuplicatePair.objects.filter(person_a__family_name="Alexis").first()
    assert pair is not None
    merge = merge_pair(acting_user=owner, pair=pair)

    list_token, _raw = returns_services.issue_token(
        acting_user=reception_officer, organisation=organisation, name="DGM", origin_country="DO"
    )
    rule_set = SopRuleSet.objects.order_by("pk").first()
    assert rule_set is not None
    return {
        "case": case,
        "person": case.person,
        "need": need,
        "task": task,
        "consents": list(case.consents.all()),
        "referral": referral,
        "link": link,
        "token": token,
        "service": service,
        "convoy": convoy,
        "night": night,
        "row": row,
        "arrival": arrival,
        "steps": list(arrival.steps.all()),
        "violations": list(Violation.objects.all()),
        "configuration": configuration,
        "item": item,
        "project": project,
        "pair": pair,
        "merge": merge,
        "list_token": list_token,
        "rule_set": rule_set,
    }


# --- The URLs, enumerated ----------------------------------------------------------------------


PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def routes() -> Iterator[tuple[str, str]]:
    """(namespace:name, route) of every URL pattern of NAMESPACES, from the resolver."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern) and namespace in NAMESPACES:
                yield f"{namespace}:{pattern.name}", prefix + str(pattern.pattern)

    yield from walk(get_resolver().url_patterns, "", "")


def known_values(world: dict[str, Any]) -> dict[str, dict[str, list[Any]]]:
    """For each route, the real objects its parameters name."""
    case, referral = world["case"], world["referral"]
    convoy, arrival = world["convoy"], world["arrival"]
    protocol = Protocol.objects.order_by("pk").first()
    rule = ProtocolRule.objects.order_by("pk").first()
    sop_rule = SopRule.objects.order_by("pk").first()
    holiday = Holiday.objects.order_by("pk").first()
    assert protocol and rule and sop_rule and holiday
    on_case = {"pk": [case.pk]}
    on_referral = {"pk": [referral.pk]}
    on_movement = {"pk": [convoy.pk, world["night"].pk]}
    values: dict[str, dict[str, list[Any]]] = {
        "cases:need_status": on_case | {"need_id": [world["need"].pk]},
        "cases:task_done": on_case | {"task_id": [world["task"].pk]},
        "cases:withdraw_consent": on_case | {"consent_id": [c.pk for c in world["consents"]]},
        "referrals:capacity": {"service_id": [world["service"].service_id]},
        "referrals:revoke_link": on_referral | {"link_id": [world["link"].pk]},
        "referrals:transition": on_referral | {"action": [*ANSWERS, "cancel", "send", "x"]},
        # The off-platform link is reached with its token, whoever holds it: the analyst has
        # none, so a made-up one.
        "referrals:external": {"token": ["not-a-token"]},
        "identity:duplicate": {"pk": [world["pair"].pk]},
        "identity:undo_merge": {"pk": [world["merge"].pk]},
        "reintegration:item": on_case | {"item_id": [world["item"].pk]},
        "reintegration:rss_version": {"number": [world["configuration"].number]},
        "reintegration:in_force": {"number": [world["configuration"].number]},
        "reintegration:new_version": {"number": [world["configuration"].number]},
        "reintegration:project": {"pk": [world["project"].pk]},
        "returns:manifest_map": on_movement | {"token": ["x"]},
        "returns:manifest": {"pk": [world["row"].manifest_id]},
        "returns:fix_row": {"pk": [world["row"].pk]},
        "returns:arrival": {"pk": [arrival.pk]},
        "returns:assistance": {"pk": [arrival.pk]},
        "returns:step_done": {"pk": [s.pk for s in world["steps"]]},
        "returns:board": {"code": ["HT-MALPASSE"]},
        "returns:violation": {"pk": [v.pk for v in world["violations"]]},
        "returns:protocol": {"pk": [protocol.pk]},
        "returns:protocol_document": {"pk": [protocol.pk], "fmt": ["pdf", "docx", "x"]},
        "returns:confirm_rule": {"pk": [rule.pk]},
        "returns:sop_guide": {"pk": [world["rule_set"].pk]},
        "returns:sop_rule_edit": {"pk": [sop_rule.pk]},
        "returns:holiday_remove": {"pk": [holiday.pk]},
        "returns:token_revoke": {"pk": [world["list_token"].pk]},
    }
    for name in ("case", "pdf", "add_note", "add_need", "add_task", "status", "assign"):
        values[f"cases:{name}"] = on_case
    values["referrals:refer"] = on_case
    for name in ("referral", "message", "share", "onward", "issue_link", "form_pdf"):
        values[f"referrals:{name}"] = on_referral
    agreements = list(case.organisation.data_sharing_agreements.values_list("pk", flat=True))
    for name in ("agreement", "agreement_document"):
        values[f"referrals:{name}"] = {"pk": agreements}
    for name in ("case", "start", "components", "item_new", "link_project", "new_round"):
        values[f"reintegration:{name}"] = on_case
    for name in ("movement", "movement_edit", "manifest_upload", "desk", "check_in"):
        values[f"returns:{name}"] = on_movement
    return values


def any_of(world: dict[str, Any]) -> dict[str, list[Any]]:
    """For a route this test does not know yet: every key of every object, by converter."""
    uuids = [
        world[name].pk
        for name in ("case", "person", "referral", "convoy", "night", "arrival", "project")
    ]
    uuids += [
        world["service"].service_id,
        *world["case"].organisation.data_sharing_agreements.values_list("pk", flat=True),
    ]
    ints = [world[name].pk for name in ("need", "task", "row", "item", "pair", "merge", "link")]
    ints += [c.pk for c in world["consents"]] + [s.pk for s in world["steps"]]
    ints += [v.pk for v in world["violations"]] + [world["list_token"].pk, world["row"].manifest_id]
    ints += [world["configuration"].number, 1]
    strings = ["x", "HT-MALPASSE", *ANSWERS]
    return {
        "uuid": uuids,
        "int": sorted(set(ints)),
        "str": strings,
        "slug": strings,
        "path": strings,
    }


def urls(world: dict[str, Any]) -> list[tuple[str, str]]:
    """(namespace:name, URL) for every route, each parameter filled with each of its values."""
    known = known_values(world)
    fallback = any_of(world)
    found = []
    for name, route in routes():
        params = [(m["name"], m["converter"] or "str") for m in PARAM.finditer(route)]
        choices = [
            known.get(name, {}).get(param) or fallback[converter] for param, converter in params
        ]
        for combination in itertools.product(*choices):
            values = dict(zip([p for p, _c in params], combination, strict=True))
            url = "/" + PARAM.sub(lambda m: str(values[m["name"]]), route)  # noqa: B023
            found.append((name, url))
    return found


# --- What a page may say -----------------------------------------------------------------------


def readable(response: Any) -> str:
    """The text of a page, a CSV, a PDF or a Word document."""
    if hasattr(response, "streaming_content"):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    if "wordprocessingml" in kind:
        with zipfile.ZipFile(io.BytesIO(content)) as document:
            return document.read("word/document.xml").decode()
    return content.decode()


def secrets_of(world: dict[str, Any]) -> list[str]:
    case = world["case"]
    return [GIVEN, FAMILY, case.reference, str(case.pk), str(world["person"].pk), "Alexis"]


def rows_of_watched_apps() -> dict[str, list[dict[str, Any]]]:
    found = {}
    for label in WATCHED_APPS:
        for model in apps.get_app_config(label).get_models():
            rows = model._default_manager.order_by("pk").values()
            found[model._meta.label] = [json.loads(json.dumps(r, default=str)) for r in rows]
    return found


# --- The tests ---------------------------------------------------------------------------------


def test_every_route_is_enumerated(world: dict[str, Any]) -> None:
    """The enumeration finds the routes (and so would find a new one)."""
    names = {name for name, _route in routes()}
    assert {n.split(":")[0] for n in names} == set(NAMESPACES)
    assert len(names) >= 80
    assert {"cases:case", "referrals:referral", "returns:arrival", "reintegration:case"} <= names
    assert set(ALLOWED) <= names  # no allowance outlives its page


def get_every_url(client: Client, analyst: Any, world: dict[str, Any]) -> dict[str, int]:
    """GET every URL as the analyst; returns the status of each route (the last one seen)."""
    seen: dict[str, int] = {}
    for name, url in urls(world):
        response = client.get(url)
        status = seen[name] = response.status_code
        if name in ALLOWED and has_capability(analyst, ALLOWED[name]) and status == 200:
            text = readable(response)
            for secret in secrets_of(world):
                assert secret not in text, (url, secret)
        elif status == 302:
            assert response["Location"].startswith("/login/"), (url, response["Location"])
        else:
            assert status in (403, 404, 405), (url, status)
    return seen


def test_the_analyst_reaches_no_person_level_page(
    client_for: Any, analyst: Any, world: dict[str, Any]
) -> None:
    before = rows_of_watched_apps()
    seen = get_every_url(client_for(analyst), analyst, world)
    # The aggregate and reference pages open, so the test does read what they show.
    opened = {name for name, status in seen.items() if status == 200}
    assert opened <= set(ALLOWED)
    assert {
        "referrals:dashboard",
        "returns:statistics",
        "returns:statistics_csv",
        "returns:compliance",
        "returns:violation",
        "returns:compliance_report_csv",
        "returns:compliance_report_pdf",
        "returns:protocol",
    } <= opened
    # And the person's own pages are there to be refused, with their real keys.
    assert seen["cases:case"] == seen["referrals:referral"] == seen["returns:arrival"] == 403
    assert rows_of_watched_apps() == before


def test_the_analyst_changes_nothing_by_posting(
    client_for: Any, analyst: Any, world: dict[str, Any]
) -> None:
    client = client_for(analyst)
    before = rows_of_watched_apps()
    for name, url in urls(world):
        response = client.post(url, {})
        status = response.status_code
        if name in ALLOWED and status == 200:
            # An aggregate page that ignores the method: it shows, it does not change.
            assert rows_of_watched_apps() == before, url
            for secret in secrets_of(world):
                assert secret not in readable(response), (url, secret)
            continue
        assert status in (403, 404, 405), (url, status)
    assert rows_of_watched_apps() == before


def leaky_view(request: Any, pk: Any) -> HttpResponse:
    """A case page that forgot its capability check."""
    return HttpResponse(get_object_or_404(Case, pk=pk).person.family_name)


def test_a_new_page_that_forgets_its_check_is_caught(
    client_for: Any, analyst: Any, world: dict[str, Any]
) -> None:
    """The enumeration finds a route nobody told this test about, tries it with every key, and
    fails on the leak."""
    leaky = ModuleType("leaky_urls")
    leaky.urlpatterns = [  # type: ignore[attr-defined]
        path(
            "", include(([path("cases/<uuid:pk>/summary/", leaky_view, name="summary")], "cases"))
        ),
        path("", include("orienta.urls")),
    ]
    with override_settings(ROOT_URLCONF=leaky), pytest.raises(AssertionError, match="summary"):
        get_every_url(client_for(analyst), analyst, world)


# --- The API -----------------------------------------------------------------------------------


def api_calls(world: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, URL, operation) of every API operation about people's files, parameters
    filled."""
    values = {
        "case_id": [world["case"].pk],
        "person_id": [world["person"].pk],
        "consent_id": [c.pk for c in world["consents"]],
        "pair_id": [world["pair"].pk],
        "merge_id": [world["merge"].pk],
        "referral_id": [world["referral"].pk],
        "link_id": [world["link"].pk],
        "agreement_id": list(
            world["case"].organisation.data_sharing_agreements.values_list("pk", flat=True)
        ),
        "service_id": [world["service"].service_id],
        "movement_id": [world["convoy"].pk],
        "row_id": [world["row"].pk],
        "arrival_id": [world["arrival"].pk],
        "step_id": [s.pk for s in world["steps"]],
        "token_id": [world["list_token"].pk],
    }
    fallback = any_of(world)
    calls = []
    for route, operations in world["schema"]["paths"].items():
        section = route.removeprefix("/api/v1/").split("/")[0]
        if not section.startswith(API_SECTIONS):
            continue
        for method, operation in operations.items():
            params = [p for p in operation.get("parameters", []) if p["in"] == "path"]
            choices = []
            for param in params:
                kind = "uuid" if param["schema"].get("format") == "uuid" else "int"
                choices.append(values.get(param["name"]) or fallback[kind])
            for combination in itertools.product(*choices):
                filled = route
                for param, value in zip(params, combination, strict=True):
                    filled = filled.replace("{" + param["name"] + "}", str(value))
                calls.append((method, filled, operation))
    return calls


def example(schema: dict[str, Any], components: dict[str, Any], world: dict[str, Any]) -> Any:
    """A value that satisfies `schema` (its required parts), so that a request gets past the
    validation of its body and reaches the capability check; keys are the real case's."""
    if "$ref" in schema:
        return example(components[schema["$ref"].rsplit("/", 1)[1]], components, world)
    for key in ("allOf", "anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return example(options[0], components, world)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        found = {
            name: example(properties.get(name, {}), components, world)
            for name in schema.get("required", [])
        }
        if not found and schema.get("minProperties"):
            found["x"] = example(schema.get("additionalProperties", {}), components, world)
        return found
    if kind == "array":
        item = example(schema.get("items", {}), components, world)
        return [item] * max(1, schema.get("minItems", 0))
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return False
    formats = {
        "uuid": str(world["case"].pk),
        "date": timezone.localdate().isoformat(),
        "date-time": timezone.now().isoformat(),
        "email": "someone@example.org",
    }
    if kind == "string":
        return formats.get(schema.get("format", ""), "x" * max(2, schema.get("minLength", 2)))
    return "x"


def api_request(
    client: Client, method: str, url: str, operation: dict[str, Any], world: dict[str, Any]
) -> Any:
    headers = world["headers"]
    components = world["schema"]["components"]["schemas"]
    query = {
        p["name"]: example(p["schema"], components, world)
        for p in operation.get("parameters", [])
        if p["in"] == "query" and p.get("required")
    }
    if query:
        url += "?" + urlencode(query)
    if method == "get":
        return client.get(url, headers=headers)
    content = operation.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in content:
        form = example(content["multipart/form-data"]["schema"], components, world)
        form["file"] = io.BytesIO(LIST.encode())
        form["file"].name = "list.csv"
        return client.post(url, form, headers=headers)
    body = example(content["application/json"]["schema"], components, world) if content else {}
    return getattr(client, method)(
        url, json.dumps(body), content_type="application/json", headers=headers
    )


def test_the_analyst_token_reaches_no_person_level_endpoint(
    analyst: Any, world: dict[str, Any]
) -> None:
    raw = account_services.create_api_token(acting_user=analyst, name="tests")[1]
    world["headers"] = {"Authorization": f"Bearer {raw}"}
    world["schema"] = api.get_openapi_schema()
    client = Client()
    before = rows_of_watched_apps()
    calls = api_calls(world)
    assert len(calls) >= 50
    for method, url, operation in calls:
        response = api_request(client, method, url, operation, world)
        if (method, url) in API_ALLOWED:
            assert response.status_code == 200, url
            text = response.content.decode()
            for secret in secrets_of(world):
                assert secret not in text, (url, secret)
            continue
        refused = (401, 403, 404) if url in API_OTHER_CREDENTIAL else (403, 404)
        assert response.status_code in refused, (method, url, response.status_code)
    assert rows_of_watched_apps() == before
    # The token works: the analyst's own account answers.
    assert client.get("/api/v1/me", headers=world["headers"]).status_code == 200
