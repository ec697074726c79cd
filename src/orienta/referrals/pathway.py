"""The referral pathway flowchart (diagramme de flux d'orientation): a country's pathway pack
(`packs/pathways/<country>.json`, format in its "about" key) read against the NRM service
taxonomy, laid out in boxes and arrows, and drawn as SVG on the server, in the current language.

`build()` gives the flow as data (also used for the accessible table next to the drawing and for
the SOP annex), `overview_diagram()` and `pathway_diagram()` lay it out, `render_svg()` draws a
layout with the `referrals/_pathway_svg.html` template (so every label is escaped)."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from orienta.core.packs import available, load_pack

KIND = "pathways"
LANGUAGES = ("fr", "en")


class UnknownCountryError(LookupError):
    """No pathway pack for that country."""


# --- The pack and the taxonomy ---------------------------------------------------------------


def countries() -> list[str]:
    """The countries that have a pathway pack, lower-case ISO codes."""
    return available(KIND)


def default_country() -> str:
    found = countries()
    return "ht" if "ht" in found else (found[0] if found else "")


def load(country: str) -> dict[str, Any]:
    code = (country or "").lower()
    if code not in countries():
        raise UnknownCountryError(country)
    return load_pack(KIND, code)


def taxonomy_terms() -> dict[str, tuple[str, str]]:
    """code → (French name, English name): the taxonomy as loaded in the directory (labels
    corrected by coordinators win), or the taxonomy pack when none is loaded yet."""
    from orienta.directory.models import TaxonomyTerm

    loaded = {
        code: (name, name_en or name)
        for code, name, name_en in TaxonomyTerm.objects.exclude(code="").values_list(
            "code", "name", "name_en"
        )
    }
    if loaded:
        return loaded
    terms: dict[str, tuple[str, str]] = {}
    for entry in load_pack("taxonomy", "nrm")["terms"]:
        for term in [entry, *entry.get("children", [])]:
            terms[term["code"]] = (term["name_fr"], term["name_en"])
    return terms


def term_label(code: str, language: str | None = None, terms: dict | None = None) -> str:
    """The taxonomy label of `code` in `language` (the current one by default), or the code."""
    found = (terms if terms is not None else taxonomy_terms()).get(code)
    if not found:
        return code
    return found[1] if _english(language) else found[0]


def time_zone_for(country: str) -> Any:
    """The IANA time zone a country's pack names, or the current time zone."""
    try:
        name = load(country).get("time_zone", "")
        return ZoneInfo(name) if name else timezone.get_current_timezone()
    except (UnknownCountryError, ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


def _english(language: str | None) -> bool:
    return (language or translation.get_language() or "fr").startswith("en")


def text(label: Any, language: str | None = None) -> str:
    """A pack label ({"fr": ..., "en": ...}) in `language`, French when it lacks that one."""
    if not isinstance(label, dict):
        return str(label or "")
    code = "en" if _english(language) else (language or "fr")[:2]
    return str(label.get(code) or label.get("fr") or label.get("en") or "")


def _bilingual(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(value.get(c), str) for c in LANGUAGES)


def validate(pack: dict[str, Any], terms: Any) -> list[str]:
    """Every problem of a pathway pack, one message each (empty when it is sound). `terms` is
    what holds the taxonomy codes (a mapping or a set)."""
    from orienta.cases.models.choices import SpecificNeed

    errors: list[str] = []
    known = set(terms)

    def need_labels(where: str, owner: dict[str, Any], key: str) -> None:
        if not _bilingual(owner.get(key)):
            errors.append(
                _("%(where)s: “%(key)s” needs French and English.") % {"where": where, "key": key}
            )

    for key in ("actors", "deadlines", "consent"):
        if not isinstance(pack.get(key), dict):
            errors.append(_("The pack has no “%(key)s” dictionary.") % {"key": key})
    actors, deadlines, consent = (pack.get(k) or {} for k in ("actors", "deadlines", "consent"))
    for group, entries in (("actors", actors), ("deadlines", deadlines), ("consent", consent)):
        for key, entry in entries.items():
            need_labels(f"{group}.{key}", entry if isinstance(entry, dict) else {}, "label")
    for key, entry in consent.items():
        need_labels(f"consent.{key}", entry if isinstance(entry, dict) else {}, "text")
    if pack.get("time_zone"):
        try:
            ZoneInfo(pack["time_zone"])
        except (ZoneInfoNotFoundError, ValueError):
            errors.append(_("Unknown time zone “%(zone)s”.") % {"zone": pack["time_zone"]})

    def check_step(where: str, step: dict[str, Any], *, stage: bool) -> None:
        if stage:
            need_labels(where, step, "label")
        else:
            codes = step.get("categories") or []
            if not codes:
                errors.append(_("%(where)s: no service category.") % {"where": where})
            for code in codes:
                if code not in known:
                    errors.append(
                        _("%(where)s: unknown taxonomy category “%(code)s”.")
                        % {"where": where, "code": code}
                    )
        if step.get("actor") not in actors:
            errors.append(
                _("%(where)s: unknown actor “%(actor)s”.")
                % {"where": where, "actor": step.get("actor")}
            )
        if step.get("deadline") not in deadlines:
            errors.append(
                _("%(where)s: unknown deadline “%(deadline)s”.")
                % {"where": where, "deadline": step.get("deadline")}
            )
        if step.get("consent") is not None and step.get("consent") not in consent:
            errors.append(
                _("%(where)s: unknown consent check point “%(consent)s”.")
                % {"where": where, "consent": step.get("consent")}
            )
        if "note" in step:
            need_labels(where, step, "note")

    for part in ("entry", "closing"):
        for number, stage in enumerate(pack.get(part) or [], start=1):
            check_step(f"{part} {number}", stage, stage=True)
    pathways = pack.get("pathways") or []
    if not pathways:
        errors.append(_("The pack has no pathway."))
    codes: set[str] = set()
    defaults = 0
    for pathway in pathways:
        code = pathway.get("code") or "?"
        if code in codes:
            errors.append(_("Pathway “%(code)s” is defined twice.") % {"code": code})
        codes.add(code)
        need_labels(code, pathway, "profile")
        defaults += bool(pathway.get("default"))
        for need in pathway.get("specific_needs") or []:
            if need not in SpecificNeed.values:
                errors.append(
                    _("%(code)s: unknown specific need “%(need)s”.") % {"code": code, "need": need}
                )
        if not pathway.get("steps"):
            errors.append(_("%(code)s: the pathway has no step.") % {"code": code})
        for number, step in enumerate(pathway.get("steps") or [], start=1):
            check_step(f"{code} {number}", step, stage=False)
    if defaults > 1:
        errors.append(_("Only one pathway may be the default one."))
    return errors


# --- The flow, in one language ---------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    code: str
    label: str


@dataclass
class Step:
    number: int
    title: str
    categories: list[Category]
    actor: str
    deadline: str
    consent: str  # short label; empty when nothing is shared at this step
    consent_text: str
    note: str


@dataclass
class Pathway:
    code: str
    profile: str
    specific_needs: list[str]
    default: bool
    steps: list[Step]


@dataclass
class Flow:
    country: str
    name: str
    time_zone: str
    entry: list[Step]
    pathways: list[Pathway]
    closing: list[Step]
    deadlines: list[tuple[str, int | None]]
    consent: list[tuple[str, str]]
    errors: list[str] = field(default_factory=list)


def build(country: str, language: str | None = None) -> Flow:
    """The pathways of `country` with every label in `language` (the current one by default);
    the pack's problems are in `errors`, and what they concern still shows, by its code."""
    from orienta.cases.models.choices import SpecificNeed

    pack = load(country)
    terms = taxonomy_terms()
    language = language or translation.get_language() or "fr"
    actors, deadlines, consent = (pack.get(k) or {} for k in ("actors", "deadlines", "consent"))

    def lookup(entries: dict[str, Any], key: Any, part: str = "label") -> str:
        entry = entries.get(key) if key is not None else None
        if not isinstance(entry, dict):
            return str(key or "")
        return text(entry.get(part), language)

    def step(number: int, raw: dict[str, Any]) -> Step:
        categories = [
            Category(code, term_label(code, language, terms)) for code in raw.get("categories", [])
        ]
        title = text(raw.get("label"), language) or ", ".join(c.label for c in categories)
        return Step(
            number=number,
            title=title,
            categories=categories,
            actor=lookup(actors, raw.get("actor")),
            deadline=lookup(deadlines, raw.get("deadline")),
            consent=lookup(consent, raw.get("consent")),
            consent_text=lookup(consent, raw.get("consent"), "text"),
            note=text(raw.get("note"), language),
        )

    def need_label(code: str) -> str:
        try:
            return str(SpecificNeed(code).label)
        except ValueError:
            return code

    with translation.override(language):
        return Flow(
            country=country.lower(),
            name=text(pack.get("name"), language),
            time_zone=pack.get("time_zone", ""),
            entry=[step(n, s) for n, s in enumerate(pack.get("entry") or [], start=1)],
            pathways=[
                Pathway(
                    code=raw.get("code", ""),
                    profile=text(raw.get("profile"), language),
                    specific_needs=[need_label(c) for c in raw.get("specific_needs") or []],
                    default=bool(raw.get("default")),
                    steps=[step(n, s) for n, s in enumerate(raw.get("steps") or [], start=1)],
                )
                for raw in pack.get("pathways") or []
            ],
            closing=[step(n, s) for n, s in enumerate(pack.get("closing") or [], start=1)],
            deadlines=[
                (text(d.get("label"), language), d.get("hours")) for d in deadlines.values()
            ],
            consent=[
                (text(c.get("label"), language), text(c.get("text"), language))
                for c in consent.values()
            ],
            errors=validate(pack, terms),
        )


# --- Layout ----------------------------------------------------------------------------------

INK = "#1b1b1b"
BLUE = "#1f4e79"
BLUE_LIGHT = "#eaf1f8"
GREY = "#555555"
GREY_LIGHT = "#f3f3f3"
AMBER = "#fff3cd"
AMBER_INK = "#5c4400"
AMBER_LINE = "#b8860b"
GREEN = "#2e7d32"
GREEN_LIGHT = "#e8f5e9"
WHITE = "#ffffff"

PAD = 10
LINE = 18  # line height, px
GAP = 30  # between boxes, room for an arrow


@dataclass
class Shape:
    kind: str  # rect | polygon | polyline
    x: int = 0
    y: int = 0
    w: int = 0
    h: int = 0
    points: str = ""
    fill: str = "none"
    stroke: str = INK
    width: float = 1.5
    dashed: bool = False


@dataclass
class Label:
    x: int
    y: int
    text: str
    size: int = 14
    bold: bool = False
    fill: str = INK
    anchor: str = "start"


@dataclass
class Diagram:
    id: str
    title: str
    description: str
    width: int
    height: int = 0
    shapes: list[Shape] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)


def wrap(value: str, width_px: int, size: int, *, bold: bool = False) -> list[str]:
    """Lines of `value` that fit `width_px` at `size` px (an average glyph is ~0.58 em wide in
    DejaVu Sans and Arial, more in bold)."""
    per_line = max(8, int(width_px / (size * (0.63 if bold else 0.58))))
    return textwrap.wrap(value, per_line, break_long_words=True) or [""]


def _arrow(diagram: Diagram, points: list[tuple[int, int]]) -> None:
    """A connector through `points`, ending in an arrowhead (drawn as a triangle: no markers,
    so that every SVG renderer, WeasyPrint's included, draws it the same)."""
    diagram.shapes.append(
        Shape("polyline", points=" ".join(f"{x},{y}" for x, y in points), stroke=GREY, width=2)
    )
    (x0, y0), (x1, y1) = points[-2], points[-1]
    if x0 == x1:  # vertical
        d = 1 if y1 > y0 else -1
        head = [(x1, y1), (x1 - 6, y1 - 10 * d), (x1 + 6, y1 - 10 * d)]
    else:
        d = 1 if x1 > x0 else -1
        head = [(x1, y1), (x1 - 10 * d, y1 - 6), (x1 - 10 * d, y1 + 6)]
    diagram.shapes.append(
        Shape(
            "polygon",
            points=" ".join(f"{x},{y}" for x, y in head),
            fill=GREY,
            stroke=GREY,
            width=1,
        )
    )


def _box(
    diagram: Diagram,
    x: int,
    y: int,
    w: int,
    rows: list[tuple[str, int, bool]],
    *,
    fill: str,
    stroke: str,
    ink: str = INK,
    consent: str = "",
    dashed: bool = False,
) -> int:
    """A box of wrapped rows (text, size, bold) with, at its foot, the consent check point in
    an amber band; returns its height."""
    lines: list[tuple[str, int, bool]] = []
    for value, size, bold in rows:
        if value:
            lines += [(part, size, bold) for part in wrap(value, w - 2 * PAD, size, bold=bold)]
    band: list[str] = []
    if consent:
        band = wrap(_("Consent: %(check)s") % {"check": consent}, w - 2 * PAD - 16, 13)
    body = PAD + len(lines) * LINE + (PAD if not band else 4)
    height = body + (len(band) * LINE + 2 * 6 if band else 0)
    diagram.shapes.append(
        Shape("rect", x, y, w, height, fill=fill, stroke=stroke, width=2, dashed=dashed)
    )
    cursor = y + PAD
    for value, size, bold in lines:
        cursor += LINE
        diagram.labels.append(Label(x + PAD, cursor - 4, value, size, bold, ink))
    if band:
        top = y + body
        diagram.shapes.append(
            Shape("rect", x + 4, top, w - 8, height - body - 4, fill=AMBER, stroke=AMBER_LINE)
        )
        # A small diamond: the check point of the flowchart.
        cy = top + 6 + LINE // 2
        diagram.shapes.append(
            Shape(
                "polygon",
                points=f"{x + 14},{cy - 6} {x + 20},{cy} {x + 14},{cy + 6} {x + 8},{cy}",
                fill=AMBER_LINE,
                stroke=AMBER_LINE,
                width=1,
            )
        )
        cursor = top + 6
        for part in band:
            cursor += LINE
            diagram.labels.append(Label(x + PAD + 16, cursor - 4, part, 13, False, AMBER_INK))
    return height


def _stage_rows(stage: Step) -> list[tuple[str, int, bool]]:
    return [
        (stage.title, 14, True),
        (_("Responsible: %(actor)s") % {"actor": stage.actor}, 13, False),
        (_("Deadline: %(deadline)s") % {"deadline": stage.deadline}, 13, False),
        (stage.note, 12, False),
    ]


def overview_diagram(flow: Flow) -> Diagram:
    """The entry stages every person goes through, the decision on the profile, and the
    pathways it leads to (in their order of precedence)."""
    diagram = Diagram(
        id=f"pathway-{flow.country}-overview",
        title=_("Referral pathways: %(name)s") % {"name": flow.name},
        description=_describe_overview(flow),
        width=780,
    )
    left, left_w = 20, 340
    cx = left + left_w // 2
    y = 20
    for number, stage in enumerate(flow.entry):
        if number:
            _arrow(diagram, [(cx, y - GAP + 2), (cx, y - 2)])
        y += _box(
            diagram,
            left,
            y,
            left_w,
            _stage_rows(stage),
            fill=GREY_LIGHT,
            stroke=GREY,
            consent=stage.consent,
        )
        y += GAP
    # The decision: a diamond.
    question = wrap(_("Which profile did the screening identify?"), 190, 14, bold=True)
    half_h = max(52, len(question) * LINE // 2 + 30)
    half_w = 160
    if flow.entry:
        _arrow(diagram, [(cx, y - GAP + 2), (cx, y - 2)])
    cy = y + half_h
    diagram.shapes.append(
        Shape(
            "polygon",
            points=f"{cx},{y} {cx + half_w},{cy} {cx},{cy + half_h} {cx - half_w},{cy}",
            fill=WHITE,
            stroke=BLUE,
            width=2,
        )
    )
    first = cy - (len(question) * LINE) // 2 + LINE - 4
    for index, part in enumerate(question):
        diagram.labels.append(Label(cx, first + index * LINE, part, 14, True, BLUE, "middle"))
    bottom = cy + half_h
    # The pathways, in a column on the right, each reached from a common bus.
    right, right_w = 440, 320
    bus = 405
    heights = []
    for pathway in flow.pathways:
        rows = _pathway_rows(pathway)
        lines = sum(len(wrap(v, right_w - 2 * PAD, s, bold=b)) for v, s, b in rows if v)
        heights.append(2 * PAD + lines * LINE)
    column = sum(heights) + 14 * max(0, len(heights) - 1)
    top = max(20, cy - column // 2)
    centres = []
    for pathway in flow.pathways:
        height = _box(
            diagram, right, top, right_w, _pathway_rows(pathway), fill=BLUE, stroke=BLUE, ink=WHITE
        )
        centres.append(top + height // 2)
        top += height + 14
    if centres:
        diagram.shapes.append(
            Shape(
                "polyline",
                points=f"{cx + half_w},{cy} {bus},{cy}",
                stroke=GREY,
                width=2,
            )
        )
        diagram.shapes.append(
            Shape(
                "polyline",
                points=f"{bus},{min(centres + [cy])} {bus},{max(centres + [cy])}",
                stroke=GREY,
                width=2,
            )
        )
        for centre in centres:
            _arrow(diagram, [(bus, centre), (right - 2, centre)])
    diagram.height = max(bottom, top) + 20
    return diagram


def _pathway_rows(pathway: Pathway) -> list[tuple[str, int, bool]]:
    first = pathway.steps[0] if pathway.steps else None
    rows = [(pathway.profile, 14, True)]
    if pathway.default:
        rows.append((_("When no other profile applies"), 12, False))
    if first is not None:
        rows.append(
            (
                _("First: %(services)s — %(deadline)s")
                % {"services": first.title, "deadline": first.deadline},
                12,
                False,
            )
        )
    return rows


def pathway_diagram(flow: Flow, pathway: Pathway) -> Diagram:
    """One pathway from top to bottom: the profile, each step (services, who, by when, the
    consent check point), then the closing stages every referral ends with."""
    diagram = Diagram(
        id=f"pathway-{flow.country}-{pathway.code}",
        title=_("Pathway: %(profile)s") % {"profile": pathway.profile},
        description=_describe_pathway(flow, pathway),
        width=380,
    )
    x, w = 20, 340
    cx = x + w // 2
    y = 20
    rows = [(pathway.profile, 15, True)]
    if pathway.specific_needs:
        rows.append(
            (
                _("At screening: %(needs)s") % {"needs": ", ".join(pathway.specific_needs)},
                12,
                False,
            )
        )
    elif pathway.default:
        rows.append((_("When no other profile applies"), 12, False))
    y += _box(diagram, x, y, w, rows, fill=BLUE, stroke=BLUE, ink=WHITE) + GAP
    for step in pathway.steps:
        _arrow(diagram, [(cx, y - GAP + 2), (cx, y - 2)])
        step_rows = [(f"{step.number}. {step.title}", 14, True), *_stage_rows(step)[1:]]
        y += _box(
            diagram,
            x,
            y,
            w,
            step_rows,
            fill=BLUE_LIGHT,
            stroke=BLUE,
            consent=step.consent,
        )
        y += GAP
    for stage in flow.closing:
        _arrow(diagram, [(cx, y - GAP + 2), (cx, y - 2)])
        y += _box(
            diagram,
            x,
            y,
            w,
            [(stage.title, 13, True), (stage.deadline, 12, False)],
            fill=GREEN_LIGHT,
            stroke=GREEN,
            dashed=True,
        )
        y += GAP
    diagram.height = y - GAP + 20
    return diagram


def _describe_step(step: Step) -> str:
    parts = [f"{step.number}. {step.title}", step.actor, step.deadline]
    if step.consent:
        parts.append(_("consent: %(check)s") % {"check": step.consent})
    return " — ".join(p for p in parts if p)


def _describe_overview(flow: Flow) -> str:
    stages = "; ".join(_describe_step(s) for s in flow.entry)
    profiles = "; ".join(p.profile for p in flow.pathways)
    return _("Every person: %(stages)s. Then, by profile: %(profiles)s.") % {
        "stages": stages,
        "profiles": profiles,
    }


def _describe_pathway(flow: Flow, pathway: Pathway) -> str:
    steps = "; ".join(_describe_step(s) for s in pathway.steps)
    closing = "; ".join(s.title for s in flow.closing)
    return _("%(profile)s: %(steps)s. Then: %(closing)s.") % {
        "profile": pathway.profile,
        "steps": steps,
        "closing": closing,
    }


def render_svg(
    diagram: Diagram, *, css_class: str = "", fit: tuple[float, float] | None = None
) -> SafeString:
    """The diagram as an inline `<svg>` element (role="img", with its title and description).
    With `fit` (width, height in mm), it is sized in millimetres to fit that box, for print."""
    width, height = str(diagram.width), str(diagram.height)
    if fit is not None and diagram.width and diagram.height:
        scale = min(fit[0] / diagram.width, fit[1] / diagram.height)
        width, height = f"{diagram.width * scale:.1f}mm", f"{diagram.height * scale:.1f}mm"
    return SafeString(
        render_to_string(
            "referrals/_pathway_svg.html",
            {"diagram": diagram, "css_class": css_class, "width": width, "height": height},
        ).strip()
    )


#: Print sizes (mm) of the drawings in the SOP annex, A4 portrait.
PRINT_OVERVIEW = (175.0, 225.0)
PRINT_PATHWAY = (80.0, 225.0)


def diagrams(flow: Flow, *, css_class: str = "", print_size: bool = False) -> dict[str, Any]:
    """What the page and the PDF show: the overview and each pathway, drawn."""
    return {
        "overview_svg": render_svg(
            overview_diagram(flow),
            css_class=css_class,
            fit=PRINT_OVERVIEW if print_size else None,
        ),
        "pathway_svgs": [
            (
                item,
                render_svg(
                    pathway_diagram(flow, item),
                    css_class=css_class,
                    fit=PRINT_PATHWAY if print_size else None,
                ),
            )
            for item in flow.pathways
        ],
    }
