"""The governance API: scoped like the pages, changes through the services, errors as JSON."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from orienta.accounts import services as account_services
from orienta.accounts.roles import Role
from orienta.governance.choices import Treatment, VersionStatus
from tests.governance_helpers import (
    advance,
    comment,
    finalise,
    make_committee,
    make_document,
    next_version,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/governance"


class Api:
    def __init__(self, user: Any) -> None:
        raw = account_services.create_api_token(acting_user=user, name="tests")[1]
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {raw}"}

    def get(self, path: str) -> Any:
        return self.client.get(URL + path, headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(
            URL + path, body, content_type="application/json", headers=self.headers
        )


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"} and body["code"] == code
    return body


@pytest.fixture
def member(make_user, organisation):
    return make_user("member@a.example", organisation, Role.COMMITTEE_MEMBER)


@pytest.fixture
def stranger(make_user, other_organisation):
    return make_user("member@b.example", other_organisation, Role.COMMITTEE_MEMBER)


@pytest.fixture
def world(coordinator, organisation, provider):
    committee = make_committee(
        coordinator, (organisation, "chair", True), (provider, "member", True)
    )
    roadmap = make_document(coordinator, committee)
    first = roadmap.versions.get()
    remark = comment(coordinator, first, organisation)
    finalise(coordinator, first)
    second = advance(
        coordinator, next_version(coordinator, roadmap, "# v2"), VersionStatus.IN_CONSULTATION
    )
    return {
        "committee": committee,
        "roadmap": roadmap,
        "first": first,
        "second": second,
        "comment": remark,
    }


def test_a_member_reads_the_committee_documents_and_indicators(world, member, organisation):
    api = Api(member)
    listed = api.get("/committees").json()
    assert [c["name"] for c in listed] == ["Comité de pilotage"]
    detail = api.get(f"/committees/{world['committee'].pk}").json()
    assert {m["status"] for m in detail["members"]} == {"confirmed"}
    document = api.get(f"/documents/{world['roadmap'].pk}").json()
    assert [v["status"] for v in document["versions"]] == ["final", "in_consultation"]
    codes = [i["code"] for i in api.get(f"/committees/{world['committee'].pk}/indicators").json()]
    assert "comments_integrated" in codes and len(codes) == 13
    comments = api.get(f"/versions/{world['first'].pk}/comments").json()
    assert comments[0]["treatment"] == "pending" and comments[0]["organisation_id"] == str(
        organisation.pk
    )


def test_a_member_comments_and_the_secretariat_treats(world, member, coordinator, organisation):
    created = Api(member).post(
        f"/versions/{world['second'].pk}/comments",
        {"organisation_id": str(organisation.pk), "section": "Priorités", "text": "Budget ?"},
    )
    assert created.status_code == 201, created.content
    remark = world["comment"]
    treated = Api(coordinator).post(
        f"/comments/{remark.pk}/treatment",
        {"treatment": "integrated", "integrated_in": 2, "version": remark.version_counter},
    )
    assert treated.status_code == 200, treated.content
    assert treated.json()["integrated_in"] == 2
    stale = Api(coordinator).post(
        f"/comments/{remark.pk}/treatment",
        {"treatment": "pending", "version": remark.version_counter},
    )
    assert_error(stale, 409, "conflict")


def test_bad_input_answers_4xx_with_a_machine_readable_body(world, member, coordinator, provider):
    api = Api(member)
    body = assert_error(
        api.post(
            f"/versions/{world['second'].pk}/comments",
            {"organisation_id": str(provider.pk), "text": "x"},
        ),
        400,
        "invalid",
    )
    assert body["details"]["field"] == "organisation"
    assert_error(api.post(f"/versions/{world['second'].pk}/comments", {"text": ""}), 422, "invalid")
    closed = api.post(
        f"/versions/{world['first'].pk}/comments",
        {
            "organisation_id": str(world["committee"].memberships.first().organisation_id),
            "text": "x",
        },
    )
    assert_error(closed, 400, "invalid")
    assert_error(
        Api(coordinator).post(
            f"/comments/{world['comment'].pk}/treatment",
            {"treatment": Treatment.NOT_INTEGRATED, "version": world["comment"].version_counter},
        ),
        400,
        "invalid",
    )
    assert_error(
        Api(coordinator).post(
            f"/comments/{world['comment'].pk}/treatment",
            {"treatment": "integrated", "integrated_in": 9, "version": 1},
        ),
        422,
        "invalid",
    )


def test_an_outsider_gets_404_on_every_object_and_sees_nothing(
    world, stranger, outsider, organisation
):
    api = Api(stranger)
    assert api.get("/committees").json() == []
    for path in (
        f"/committees/{world['committee'].pk}",
        f"/committees/{world['committee'].pk}/indicators",
        f"/documents/{world['roadmap'].pk}",
        f"/versions/{world['first'].pk}/comments",
    ):
        assert_error(api.get(path), 404, "not_found")
    assert_error(
        api.post(
            f"/versions/{world['second'].pk}/comments",
            {"organisation_id": str(organisation.pk), "text": "x"},
        ),
        404,
        "not_found",
    )
    assert_error(
        api.post(
            f"/comments/{world['comment'].pk}/treatment", {"treatment": "pending", "version": 1}
        ),
        403,
        "permission_denied",
    )
    no_role = Api(outsider)
    assert_error(no_role.get("/committees"), 403, "permission_denied")
    assert_error(no_role.get(f"/documents/{world['roadmap'].pk}"), 403, "permission_denied")
