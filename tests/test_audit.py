"""The audit trail: append-only, chained, tamper-evident, written with the change it records."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction

from orienta.audit import services
from orienta.audit.models import AppendOnlyError, AuditEvent
from orienta.core import request_context

pytestmark = pytest.mark.django_db


def _write(n: int, actor=None) -> list[AuditEvent]:
    return [
        services.record(
            "tests.thing.touched", actor=actor, object_type="tests.thing", object_id=str(i)
        )
        for i in range(n)
    ]


def test_events_form_a_chain() -> None:
    events = _write(3)
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    assert services.verify_chain().intact


def test_request_context_is_recorded() -> None:
    token = request_context.activate(request_context.RequestContext("req-12345678", "10.0.0.7"))
    try:
        event = _write(1)[0]
    finally:
        request_context.deactivate(token)
    assert (event.request_id, event.ip) == ("req-12345678", "10.0.0.7")
    token = request_context.activate(
        request_context.RequestContext("req-abcdefgh", "2001:DB8::0:1")
    )
    try:
        event = _write(1)[0]
    finally:
        request_context.deactivate(token)
    assert event.ip == "2001:db8::1"
    assert services.verify_chain().intact  # the stored forms hash as they were written


def test_sensitive_values_are_masked() -> None:
    event = services.record(
        "tests.thing.updated",
        actor=None,
        changes={"password": ["a", "b"], "phone": "+509", "name": ["A", "B"], "api_token": "t"},
        sensitive={"phone"},
    )
    assert event.changes == {
        "password": ["***", "***"],
        "phone": "***",
        "name": ["A", "B"],
        "api_token": "***",
    }


def test_malformed_action_codes_are_refused() -> None:
    with pytest.raises(ValueError):
        services.record("viewed", actor=None)


def test_orm_refuses_updates_and_deletes() -> None:
    event = _write(1)[0]
    event.action = "tests.thing.forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x.y.z")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_event_is_lost_with_the_change_it_records() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        _write(1)
        raise RuntimeError("the change failed")
    assert AuditEvent.objects.count() == 0
    assert _write(1)[0].seq == 1  # and the chain did not skip a number


def _tamper(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_altered_event_is_named() -> None:
    events = _write(5)
    _tamper("UPDATE audit_auditevent SET object_id = %s WHERE id = %s", ["999", events[2].pk])
    report = services.verify_chain()
    assert not report.intact
    assert report.problem_seq == 3
    assert "event 3" in report.problem and "altered" in report.problem


def test_a_removed_event_is_named() -> None:
    events = _write(5)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    report = services.verify_chain()
    assert not report.intact and report.problem_seq == 2 and "missing" in report.problem


def test_events_removed_from_the_end_are_noticed() -> None:
    events = _write(4)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[3].pk])
    report = services.verify_chain()
    assert not report.intact and "4" in report.problem


def test_a_rewritten_chain_link_is_noticed() -> None:
    events = _write(3)
    # Forging the hash too: the next event no longer follows it.
    _tamper("UPDATE audit_auditevent SET hash = %s WHERE id = %s", ["f" * 64, events[0].pk])
    report = services.verify_chain()
    assert not report.intact and report.problem_seq == 1


def test_audit_verify_command_exit_status(capsys) -> None:
    events = _write(3)
    call_command("audit_verify")
    assert "intact: 3 events" in capsys.readouterr().out
    _tamper("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["x.y.z", events[1].pk])
    with pytest.raises(CommandError, match=r"event 2 \(id \d+\) was altered") as info:
        call_command("audit_verify")
    assert info.value.returncode == 1


def test_chain_restarts_cleanly_when_the_head_row_is_missing() -> None:
    _write(2)
    _tamper("DELETE FROM audit_auditchainhead", [])
    assert _write(1)[0].seq == 3
    assert services.verify_chain().intact


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain() -> None:
    """Two connections writing at once: every event follows exactly one other."""
    per_thread = 60
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def writer(name: str) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    services.record("tests.thing.touched", actor=None, object_id=f"{name}{i}")
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEvent.objects.count() == 2 * per_thread
    assert len(set(AuditEvent.objects.values_list("prev_hash", flat=True))) == 2 * per_thread
    report = services.verify_chain()
    assert report.intact, report.problem


def test_audit_page_filters_and_scopes(
    client_for, coordinator, admin_user, outsider, organisation, other_organisation
) -> None:
    services.record(
        "tests.thing.touched", actor=coordinator, organisation=organisation, object_id="object-A-1"
    )
    services.record(
        "tests.thing.touched",
        actor=outsider,
        organisation=other_organisation,
        object_id="object-B-1",
    )
    services.record(
        "tests.other.touched", actor=coordinator, organisation=organisation, object_id="object-A-2"
    )
    page = client_for(coordinator).get("/audit/").content.decode()
    assert (
        "object-A-1" in page and "object-A-2" in page and "object-B-1" not in page
    )  # only the coordinator's organisation
    page = client_for(admin_user).get("/audit/").content.decode()
    assert "object-B-1" in page  # administrators see every organisation
    filtered = client_for(admin_user).get(
        "/audit/", {"action": "tests.other", "actor": coordinator.email}
    )
    assert "object-A-2" in filtered.content.decode()
    assert "object-A-1" not in filtered.content.decode()
    bad = client_for(admin_user).get(
        "/audit/", {"date_from": "2026-02-02", "date_to": "2026-01-01"}
    )
    assert bad.status_code == 400
    assert "La date de début est postérieure à la date de fin." in bad.content.decode()


def test_audit_page_htmx_returns_only_the_results(client_for, admin_user) -> None:
    response = client_for(admin_user).get("/audit/", headers={"HX-Request": "true"})
    page = response.content.decode()
    assert 'id="audit-results"' in page and "<html" not in page


def test_audit_page_pages_by_event_number(
    client_for, admin_user, django_assert_max_num_queries
) -> None:
    _write(120)
    client = client_for(admin_user)
    client.get("/audit/")
    with django_assert_max_num_queries(8):
        first = client.get("/audit/")
    assert "before=" in first.content.decode()
    older = client.get("/audit/", {"before": first.context["older"]})
    assert older.context["events"][0].seq == first.context["events"][-1].seq - 1


def test_outsider_cannot_read_the_audit_page(client_for, outsider, colleague) -> None:
    assert client_for(outsider).get("/audit/").status_code == 403
    assert client_for(colleague).get("/audit/").status_code == 403


def test_many_events_at_once_make_the_same_chain() -> None:
    services.record("tests.thing.touched", actor=None, object_id="before")
    made = services.record_many(
        services.Entry("tests.thing.touched", changes={"n": n}) for n in range(5)
    )
    services.record("tests.thing.touched", actor=None, object_id="after")
    assert [e.seq for e in made] == [2, 3, 4, 5, 6]
    assert AuditEvent.objects.order_by("seq").last().object_id == "after"
    assert services.record_many([]) == []
    report = services.verify_chain()
    assert report.intact, report.problem
    assert report.events == 7
