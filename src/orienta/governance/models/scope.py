"""Who sees governance records.

Coordinators (`governance.manage`) keep the records of the whole mechanism: they are its
secretariat. Everyone else sees the bodies their organisation is a member of (invited, confirmed
or declined — an invited member must read what it is invited to) and everything that belongs to
those bodies: meetings, documents, the MoU, the roadmap, and their indicators. Analysts see the
process indicators of every body (`governance.view_indicators`), which count and never name."""

from __future__ import annotations

from typing import Any, ClassVar

from orienta.accounts.access import ScopedQuerySet, scope_for

MANAGE = "governance.manage"
VIEW = "governance.view"
INDICATORS = "governance.view_indicators"


class CommitteeScopedQuerySet(ScopedQuerySet):
    scope_capability = VIEW
    # The path from the row to its committee ("" for the committee itself).
    committee_path: ClassVar[str] = "committee__"

    def visible_to(self, user: Any, capability: str | None = None) -> CommitteeScopedQuerySet:
        if not scope_for(user, MANAGE).is_empty:
            return self.all()
        if capability == INDICATORS and not scope_for(user, INDICATORS).is_empty:
            return self.all()
        wanted = VIEW if capability is None or capability == INDICATORS else capability
        scope = scope_for(user, wanted)
        if scope.everywhere:
            return self.all()
        if not scope.organisation_ids:
            return self.none()
        field = f"{self.committee_path}memberships__organisation__in"
        return self.filter(**{field: scope.organisation_ids}).distinct()


class CommitteeQuerySet(CommitteeScopedQuerySet):
    committee_path = ""
