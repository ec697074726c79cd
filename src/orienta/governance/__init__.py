"""Governance of the mechanism: committees and their members, meetings, workshops and trainings,
documents with versions and stakeholder comments, the MoU (whose data-sharing section drives the
referrals' agreements), the roadmap and the process indicators of the terms of reference."""
