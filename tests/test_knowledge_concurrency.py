"""On PostgreSQL, knowledge base edits made at the same moment on two connections: two edits of
one policy have one winner (the row lock and the version), and edits of two entities both go
through, each writing only its own search entries (no lock around the whole index)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.db import connections

from orienta.accounts.roles import Role
from orienta.audit.models import AuditEvent
from orienta.core.errors import ConflictError
from orienta.knowledge import briefs, policies, services
from orienta.knowledge.choices import BriefStatus
from orienta.knowledge.models import BriefVersion, Entity, PolicyInstrument, SearchEntry
from orienta.knowledge.packs import load_knowledge
from orienta.knowledge.policy_columns import policy_values
from orienta.knowledge.search import search

KAMPALA = "kampala-declaration-2022"


def at_once(actions: dict[str, Callable[[], Any]]) -> dict[str, str]:
    """Run the actions on their own connections, released together; how each ended."""
    start = threading.Barrier(len(actions))
    outcomes: dict[str, str] = {}

    def run(name: str, action: Callable[[], Any]) -> None:
        try:
            start.wait()
            action()
            outcomes[name] = "won"
        except ConflictError:
            outcomes[name] = "lost"
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            outcomes[name] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in actions.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture
def officer(make_user: Any, organisation: Any) -> Any:
    load_knowledge("mena")
    return make_user("policy@a.example", organisation, Role.POLICY_OFFICER)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(2))
def test_two_edits_of_one_policy_at_once_have_one_winner(officer: Any, round_: int) -> None:
    policy = PolicyInstrument.objects.get(key=KAMPALA)
    data = policy_values(policy)

    def edit(title: str) -> Callable[[], Any]:
        return lambda: policies.save_policy(
            acting_user=officer,
            policy=policy,
            data=data | {"title_fr": title},
            expected_version=1,
        )

    outcomes = at_once({"first": edit("Première"), "second": edit("Seconde")})
    assert sorted(outcomes.values()) == ["lost", "won"], outcomes
    winner = "Première" if outcomes["first"] == "won" else "Seconde"
    policy.refresh_from_db()
    assert (policy.title_fr, policy.version) == (winner, 2)
    entry = SearchEntry.objects.get(kind="policy", key=KAMPALA)
    assert winner.lower().replace("è", "e") in entry.document


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_edits_of_two_entities_at_once_both_write_their_search_entries(officer: Any) -> None:
    def rename(key: str, name: str) -> Callable[[], Any]:
        entity = Entity.objects.get(key=key)
        return lambda: services.save_entity(
            acting_user=officer, entity=entity, expected_version=entity.version, name_fr=name
        )

    outcomes = at_once(
        {
            "LAS": rename("LAS", "Ligue renommée quelque part"),
            "IGAD-RCP": rename("IGAD-RCP", "Processus renommé ailleurs"),
        }
    )
    assert outcomes == {"LAS": "won", "IGAD-RCP": "won"}
    assert "LAS" in [hit.key for hit in search("renommee quelque")]
    assert "IGAD-RCP" in [hit.key for hit in search("renomme ailleurs")]
    assert SearchEntry.objects.filter(kind="entity").count() == Entity.objects.count()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_marking_final_while_the_draft_is_written_again_keeps_one_outcome(officer: Any) -> None:
    """Marking final and writing the draft again at the same moment: one goes first and the
    other sees what it did. A final version is never turned back into a draft."""
    league = Entity.objects.get(key="LAS")
    draft = briefs.write_from_data(acting_user=officer, entity=league)
    texts = {s["code"]: {"fr": "Texte.", "en": "Text."} for s in draft.sections}
    draft = briefs.edit_draft(
        acting_user=officer,
        version=draft,
        texts=texts,
        change_summary="",
        expected_version=draft.version,
    )
    written = briefs.write_sections

    def slowly(entity: Entity) -> Any:
        time.sleep(1)  # the rewrite has read the draft; "mark final" comes meanwhile
        return written(entity)

    def finalise() -> None:
        time.sleep(0.3)
        briefs.mark_final(acting_user=officer, version=draft, expected_version=draft.version)

    with mock.patch.object(briefs, "write_sections", slowly):
        outcomes = at_once(
            {
                "rewrite": lambda: briefs.write_from_data(acting_user=officer, entity=league),
                "final": finalise,
            }
        )
    version = BriefVersion.objects.get(pk=draft.pk)
    finals = AuditEvent.objects.filter(action="knowledge.brief.final").count()
    # Either the rewrite went first (mark final then refused as stale) or mark final did (and
    # the version stays final): never a final event on a version that is a draft.
    assert (version.status == BriefStatus.FINAL) == (finals == 1), (outcomes, version.status)
    assert sorted(outcomes.values()) == ["lost", "won"], outcomes
