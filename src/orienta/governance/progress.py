"""The roadmap's progress as a server-rendered SVG timeline: one bar per action over its dates,
filled to its progress, coloured by status, with the dependencies drawn as arrows and today's
date as a line. The page shows the same facts as a table beside it, for screen readers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from orienta.governance.choices import RoadmapStatus
from orienta.governance.models import Priority, RoadmapAction

COLOURS: dict[str, str] = {
    RoadmapStatus.NOT_STARTED: "#6c757d",
    RoadmapStatus.IN_PROGRESS: "#0d6efd",
    RoadmapStatus.DONE: "#198754",
    RoadmapStatus.DELAYED: "#dc3545",
    RoadmapStatus.DROPPED: "#adb5bd",
}
LABEL_WIDTH = 300
CHART_WIDTH = 560
ROW = 26
HEADER = 34


@dataclass
class PriorityProgress:
    priority: Priority
    actions: list[RoadmapAction]

    @property
    def progress(self) -> int:
        """The mean progress of the actions still on the roadmap (dropped ones do not count)."""
        live = [a for a in self.actions if a.status != RoadmapStatus.DROPPED]
        return round(sum(a.progress for a in live) / len(live)) if live else 0

    def late(self, today: date) -> list[RoadmapAction]:
        return [
            a
            for a in self.actions
            if a.ends_on < today and a.status not in (RoadmapStatus.DONE, RoadmapStatus.DROPPED)
        ]


def roadmap(committee: Any) -> list[PriorityProgress]:
    priorities = Priority.objects.filter(committee=committee).prefetch_related(
        "actions__owner", "actions__depends_on"
    )
    return [PriorityProgress(p, list(p.actions.all())) for p in priorities]


def overall(rows: list[PriorityProgress]) -> int:
    live = [a for row in rows for a in row.actions if a.status != RoadmapStatus.DROPPED]
    return round(sum(a.progress for a in live) / len(live)) if live else 0


def _months(start: date, end: date) -> list[date]:
    months, current = [], start.replace(day=1)
    while current <= end:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def _short(text: str, limit: int = 44) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def svg(rows: list[PriorityProgress], today: date | None = None) -> str:
    """The timeline, or an empty string when the roadmap has no action."""
    today = today or timezone.localdate()
    actions = [a for row in rows for a in row.actions]
    if not actions:
        return ""
    start = min(a.starts_on for a in actions).replace(day=1)
    end = max(max(a.ends_on for a in actions), today)
    span = max((end - start).days, 1)

    def x(day: date) -> float:
        return LABEL_WIDTH + CHART_WIDTH * min(max((day - start).days, 0), span) / span

    lines = len(actions) + len(rows)
    height = HEADER + lines * ROW + 10
    width = LABEL_WIDTH + CHART_WIDTH + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="roadmap-title" '
        f'font-family="DejaVu Sans, sans-serif" font-size="11">',
        f'<title id="roadmap-title">{escape(_("Roadmap progress"))}: {overall(rows)} %</title>',
    ]
    months = _months(start, end)
    # A label every few months, so that they never overlap (about 60 px for "MM/YYYY").
    step = max(1, math.ceil(60 / (CHART_WIDTH / max(len(months), 1))))
    for index, month in enumerate(months):
        left = x(month)
        parts.append(
            f'<line x1="{left:.1f}" y1="{HEADER - 8}" x2="{left:.1f}" y2="{height}" '
            f'stroke="#dee2e6"/>'
        )
        if index % step == 0:
            parts.append(
                f'<text x="{left + 2:.1f}" y="{HEADER - 12}" fill="#495057">{month:%m/%Y}</text>'
            )
    positions: dict[Any, tuple[float, float, float]] = {}
    y = HEADER
    for row in rows:
        parts.append(
            f'<text x="4" y="{y + 17}" font-weight="bold">'
            f"{escape(_short(row.priority.title, 50))} — {row.progress} %</text>"
        )
        y += ROW
        for action in row.actions:
            left, right = x(action.starts_on), max(x(action.ends_on), x(action.starts_on) + 4)
            colour = COLOURS.get(action.status, "#6c757d")
            done = left + (right - left) * action.progress / 100
            label = f"{_short(action.title)} ({action.progress} %)"
            parts.append(
                f"<g><title>{escape(action.title)} — {escape(action.get_status_display())}, "
                f"{action.progress} %</title>"
                f'<text x="14" y="{y + 16}">{escape(label)}</text>'
                f'<rect x="{left:.1f}" y="{y + 5}" width="{right - left:.1f}" height="15" '
                f'fill="white" stroke="{colour}"/>'
                f'<rect x="{left:.1f}" y="{y + 5}" width="{done - left:.1f}" height="15" '
                f'fill="{colour}"/></g>'
            )
            positions[action.pk] = (left, right, y + 12.5)
            y += ROW
    for action in actions:
        for before in action.depends_on.all():
            if before.pk in positions and action.pk in positions:
                _l, x1, y1 = positions[before.pk]
                x2, _r, y2 = positions[action.pk]
                parts.append(
                    f'<path d="M{x1:.1f},{y1:.1f} C{x1 + 14:.1f},{y1:.1f} {x2 - 14:.1f},{y2:.1f} '
                    f'{x2:.1f},{y2:.1f}" fill="none" stroke="#212529" stroke-dasharray="3,2" '
                    f'marker-end="url(#arrow)"/>'
                )
    now = x(today)
    parts.append(
        f'<line x1="{now:.1f}" y1="{HEADER - 8}" x2="{now:.1f}" y2="{height}" stroke="#d63384" '
        f'stroke-width="2"/><text x="{now + 3:.1f}" y="{height - 2}" fill="#d63384">'
        f"{escape(_('Today'))}</text>"
    )
    parts.insert(
        2,
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" '
        'markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#212529"/></marker>'
        "</defs>",
    )
    parts.append("</svg>")
    return "".join(parts)
