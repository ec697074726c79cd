"""Demo persons and cases: about 500 per country, fictional, shared between the two demo
casework organisations so that the outsider checks can be tried by hand; some returnees were
registered twice, for the review queue."""

from __future__ import annotations

from orienta.accounts.models import User
from orienta.cases.models import Person
from orienta.cases.synthetic import Owner, generate_cases
from orienta.core.packs import load_pack
from orienta.directory.models import Organisation
from orienta.identity.registry import find_duplicates

DEMO_PERSONS = 500
SEEDS = {"ht": 509, "cm": 237, "bf": 226}


def load_demo_cases(country: str) -> int:
    """Generate the demo caseload once; returns the number of cases made (0 when present)."""
    pack = load_pack("demo", country)
    owners = []
    for key in ("casework", "casework_b"):
        entry = next(o for o in pack["organisations"] if o["key"] == key)
        organisation = Organisation.objects.get(name=entry["name"], country=pack["country"])
        emails = [
            a["email"]
            for a in pack["accounts"]
            if a["organisation"] == key and a["role"] in ("caseworker", "case_supervisor")
        ]
        owners.append(Owner(organisation, list(User.objects.filter(email__in=emails))))
    organisations = [owner.organisation for owner in owners]
    # Generated persons have nobody as their registering officer; real registrations do.
    if Person.objects.filter(organisation__in=organisations, registered_by=None).exists():
        return 0
    made = generate_cases(
        country=pack["country"],
        owners=owners,
        persons=DEMO_PERSONS,
        seed=SEEDS[country],
        repeat_share=0.12,
        duplicate_share=0.4,
    )
    # The supervisors' review queue, as the nightly run leaves it.
    find_duplicates()
    return made
