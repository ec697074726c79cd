"""Who may read and change a case's reintegration follow-up.

Reading follows the case: whoever `get_case_for_user` lets open the case reads its plan and
survey rounds. Changing follows the cases app's rule for changing a case — `cases.work_cases`
held in the case's organisation (see `orienta.cases.services`) — together with
`reintegration.work` there.
"""

from __future__ import annotations

from typing import Any

from orienta.accounts.access import has_capability, require_capability
from orienta.cases.models import Case

WORK = "reintegration.work"
CONFIGURE = "reintegration.configure"


def can_work_plan(user: Any, case: Case) -> bool:
    return has_capability(user, "cases.work_cases", case.organisation_id) and has_capability(
        user, WORK, case.organisation_id
    )


def require_plan_work(user: Any, case: Case) -> None:
    """Raise PermissionDenied unless `user` may change the reintegration follow-up of `case`
    (the view has already fetched the case through `get_case_for_user`)."""
    require_capability(user, "cases.work_cases", case.organisation_id)
    require_capability(user, WORK, case.organisation_id)
