"""Reference data of returns: bilateral protocols and their rules, the reception procedures in
force with their flowchart, entry points, consulates, public holidays and advance-list tokens.

Everyone who works on returns reads them; coordinators (`returns.manage_reception`) confirm
protocol rules, revise the procedures (a new version each time), keep the holidays and issue the
tokens — always through `orienta.returns.services`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orienta.accounts.access import capability_required, get_object_for_user, has_capability
from orienta.core.errors import ServiceError
from orienta.core.http import AuthenticatedHttpRequest, pdf_response, show_on_form
from orienta.core.i18n import interface_language, requested_language
from orienta.directory.models import Organisation, TaxonomyTerm
from orienta.referrals import pathway
from orienta.returns import documents, services, sop
from orienta.returns.choices import Condition, ProtocolStatus, SopStatus, Verification
from orienta.returns.labels import LANGUAGES, country_names, in_language, organisation_label
from orienta.returns.models import (
    Consulate,
    DeportingCountry,
    EntryPoint,
    Holiday,
    ListToken,
    Protocol,
    ProtocolRule,
    SopRule,
    SopRuleSet,
)

MANAGE = "returns.manage_reception"
# Tokens belong to the reception office that receives the lists (see services.issue_token).
TOKENS = "returns.receive_arrivals"
READ = (MANAGE, "returns.view_compliance", "returns.view_movements")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DEFAULT_COUNTRY = "HT"

# The badge of a rule's verification: a short label and its Bootstrap colour.
BADGES = {
    Verification.VERIFIED: (gettext_lazy("Verified"), "success"),
    Verification.SECONDARY: (gettext_lazy("Secondary source: to confirm"), "warning"),
    Verification.UNVERIFIED: (gettext_lazy("Unverified"), "danger"),
}
STATUS_COLOURS: dict[str, str] = {
    ProtocolStatus.IN_FORCE: "success",
    ProtocolStatus.DRAFT: "warning",
    SopStatus.SUPERSEDED: "secondary",
}


# --- Shared helpers ---------------------------------------------------------------------------


def _can_manage(request: AuthenticatedHttpRequest) -> bool:
    return has_capability(request.user, MANAGE)


def document_language(request: HttpRequest) -> str | None:
    """`?lang=fr|en`, else the interface language; None when `lang` names another language."""
    language = requested_language(request)
    return language if language in LANGUAGES else None


def _bad_language() -> HttpResponse:
    return HttpResponseBadRequest(
        _("Unknown language: choose fr (French) or en (English)."),
        content_type="text/plain; charset=utf-8",
    )


def _day(value: date | None) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def _post_only(request: HttpRequest) -> HttpResponse | None:
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


# --- Protocols --------------------------------------------------------------------------------


@dataclass
class Corridor:
    receiving: str
    deporting: str
    label: str
    protocols: list[Any]


@capability_required(*READ)
def protocol_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    applied = Q(rules__verification=Verification.VERIFIED) | Q(rules__confirmed_at__isnull=False)
    rows = Protocol.objects.annotate(
        rule_count=Count("rules", distinct=True),
        applied_count=Count("rules", filter=applied, distinct=True),
    ).order_by("receiving_country", "deporting_country", "key", "-version")
    language = interface_language()
    names = country_names(language)
    corridors = []
    for (receiving, deporting), items in groupby(
        rows, key=lambda p: (p.receiving_country, p.deporting_country)
    ):
        protocols = list(items)
        for protocol in protocols:
            protocol.title = in_language(protocol, "title", language)  # type: ignore[attr-defined]
            protocol.validity = documents.validity(protocol)  # type: ignore[attr-defined]
            protocol.colour = STATUS_COLOURS.get(protocol.status, "secondary")  # type: ignore[attr-defined]
        label = _("From %(deporting)s to %(receiving)s") % {
            "deporting": names.get(deporting, deporting),
            "receiving": names.get(receiving, receiving),
        }
        corridors.append(Corridor(receiving, deporting, label, protocols))
    return render(request, "returns/reference/protocol_list.html", {"corridors": corridors})


@dataclass
class RulePanel:
    rule: ProtocolRule
    heading: str
    text: str
    parameters: list[str]
    badge: str
    badge_colour: str
    note: str = ""  # the note posted, when the confirmation was refused
    error: str = ""


def _panel(rule: ProtocolRule, language: str) -> RulePanel:
    kind = rule.get_kind_display()
    badge, colour = BADGES.get(Verification(rule.verification), (rule.verification, "secondary"))
    return RulePanel(
        rule=rule,
        heading=(
            _("Clause %(clause)s — %(kind)s") % {"clause": rule.clause, "kind": kind}
            if rule.clause
            else str(kind)
        ),
        text=in_language(rule, "text", language),
        parameters=documents.rule_parameters(rule, language),
        badge=str(badge),
        badge_colour=colour,
    )


def _protocol_page(
    request: AuthenticatedHttpRequest,
    protocol: Protocol,
    *,
    refused: tuple[int, str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The protocol page; `refused` is (rule pk, note posted, message) when a confirmation was
    refused, shown on that rule's form."""
    language = interface_language()
    names = country_names(language)
    panels = [_panel(rule, language) for rule in protocol.rules.select_related("confirmed_by")]
    if refused is not None:
        for panel in panels:
            if panel.rule.pk == refused[0]:
                panel.note, panel.error = refused[1], refused[2]
    context = {
        "protocol": protocol,
        "title": in_language(protocol, "title", language),
        "receiving": names.get(protocol.receiving_country, protocol.receiving_country),
        "deporting": names.get(protocol.deporting_country, protocol.deporting_country),
        "validity": documents.validity(protocol),
        "colour": STATUS_COLOURS.get(protocol.status, "secondary"),
        "is_draft": protocol.status == ProtocolStatus.DRAFT,
        "in_force": protocol.status == ProtocolStatus.IN_FORCE,
        "panels": panels,
        "workflow": documents.workflow(protocol, language)[0],
        "can_manage": _can_manage(request),
        "error": refused[2] if refused is not None else "",
    }
    return render(request, "returns/reference/protocol.html", context, status=status)


@capability_required(*READ)
def protocol(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _protocol_page(request, get_object_or_404(Protocol, pk=pk))


@capability_required(MANAGE)
def confirm_rule(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    refused = _post_only(request)
    if refused is not None:
        return refused
    rule = get_object_or_404(ProtocolRule.objects.select_related("protocol"), pk=pk)
    note = request.POST.get("note", "")
    try:
        services.confirm_rule(acting_user=request.user, rule=rule, note=note)
    except ServiceError as error:
        return _protocol_page(
            request, rule.protocol, refused=(rule.pk, note, str(error.message)), status=400
        )
    messages.success(request, _("The rule is confirmed: it is now checked against movements."))
    return redirect(reverse("returns:protocol", args=[rule.protocol_id]) + f"#rule-{rule.pk}")


@capability_required(*READ)
def protocol_document(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The protocol as PDF or DOCX, in `?lang=fr|en` (the interface language by default)."""
    found = get_object_or_404(Protocol, pk=pk)
    language = document_language(request)
    if language is None:
        return _bad_language()
    name = f"protocol-{found.key}-v{found.version}-{language}"
    if fmt == "pdf":
        return pdf_response(documents.protocol_pdf(found, language), f"{name}.pdf")
    if fmt == "docx":
        response = HttpResponse(documents.protocol_docx(found, language), content_type=DOCX)
        response["Content-Disposition"] = f'attachment; filename="{name}.docx"'
        response["Cache-Control"] = "no-store"
        return response
    raise Http404("Unknown format.")


# --- Reception procedures ---------------------------------------------------------------------


class SopRuleForm(forms.Form):
    """One step of the procedures. It parses; `services.revise_sop_rule` decides (deadline)."""

    action_fr = forms.CharField(label=gettext_lazy("Action (French)"), max_length=300)
    action_en = forms.CharField(label=gettext_lazy("Action (English)"), max_length=300)
    responsible = forms.ChoiceField(label=gettext_lazy("Responsible organisation"), required=False)
    deadline_minutes = forms.IntegerField(
        label=gettext_lazy("Deadline (minutes)"), widget=forms.NumberInput({"min": 1})
    )
    referral_category = forms.CharField(
        label=gettext_lazy("Refer for (service category code)"),
        max_length=30,
        required=False,
        help_text=gettext_lazy("A code of the service taxonomy, e.g. PROT-CHILD; empty for none."),
    )

    def __init__(
        self, *args: Any, organisations: Iterable[Organisation], as_written: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = {str(o.pk): o for o in organisations}
        empty = _("Not in the directory (as written: %(name)s)") % {"name": as_written or "—"}
        self.fields["responsible"].choices = [("", empty)] + [  # type: ignore[attr-defined]
            (key, organisation_label(o.name, o.acronym)) for key, o in self.organisations.items()
        ]

    def clean_responsible(self) -> Organisation | None:
        value = self.cleaned_data.get("responsible") or ""
        return self.organisations.get(value) if value else None

    def clean_referral_category(self) -> str:
        code = (self.cleaned_data.get("referral_category") or "").strip()
        if code and not TaxonomyTerm.objects.filter(code=code).exists():
            raise forms.ValidationError(
                _("Unknown service category “%(code)s”: give a code of the service taxonomy.")
                % {"code": code}
            )
        return code

    def changes(self, rule: SopRule) -> dict[str, Any]:
        """What differs from the rule as it stands."""
        data = self.cleaned_data
        out = {
            name: data[name]
            for name in ("action_fr", "action_en", "deadline_minutes", "referral_category")
            if data[name] != getattr(rule, name)
        }
        chosen = data["responsible"]
        if (chosen.pk if chosen else None) != rule.responsible_id:
            out["responsible"] = chosen
        return out


def _rule_form(rule: SopRule, organisations: list[Organisation], data: Any = None) -> SopRuleForm:
    initial = {
        "action_fr": rule.action_fr,
        "action_en": rule.action_en,
        "responsible": str(rule.responsible_id) if rule.responsible_id else "",
        "deadline_minutes": rule.deadline_minutes,
        "referral_category": rule.referral_category,
    }
    return SopRuleForm(
        data,
        initial=initial,
        organisations=organisations,
        as_written=rule.responsible_name,
        auto_id=f"id_rule{rule.pk}_%s",
    )


def _country_organisations(country: str) -> list[Organisation]:
    return list(Organisation.objects.filter(country=country).order_by("name"))


@dataclass
class SopRow:
    rule: SopRule
    action: str
    responsible: str
    deadline: str
    category: str
    form: SopRuleForm | None = None


@dataclass
class SopGroup:
    condition: str
    label: str
    rows: list[SopRow] = field(default_factory=list)


def _condition_label(code: str) -> str:
    try:
        return str(Condition(code).label)
    except ValueError:
        return code


def _sop_groups(
    rules: list[SopRule], language: str, organisations: list[Organisation] | None
) -> list[SopGroup]:
    """The rules under their profile condition, the conditions in the order of their first
    rule; with `organisations`, an edit form for each."""
    terms = pathway.taxonomy_terms()
    groups: dict[str, SopGroup] = {}
    for rule in rules:
        group = groups.setdefault(
            rule.condition, SopGroup(rule.condition, _condition_label(rule.condition))
        )
        responsible = (
            organisation_label(rule.responsible.name, rule.responsible.acronym)
            if rule.responsible
            else rule.responsible_name
        )
        category = rule.referral_category
        group.rows.append(
            SopRow(
                rule=rule,
                action=in_language(rule, "action", language),
                responsible=responsible,
                deadline=documents.duration(rule.deadline_minutes),
                category=(
                    f"{pathway.term_label(category, language, terms)} ({category})"
                    if category
                    else ""
                ),
                form=_rule_form(rule, organisations) if organisations is not None else None,
            )
        )
    return list(groups.values())


def _procedures_country(request: HttpRequest) -> str:
    wanted = (request.GET.get("country") or "").strip().upper()
    if len(wanted) == 2 and wanted.isalpha():
        return wanted
    first = EntryPoint.objects.order_by("country", "code").values_list("country", flat=True)
    return first.first() or DEFAULT_COUNTRY


@capability_required(*READ)
def procedures(request: AuthenticatedHttpRequest) -> HttpResponse:
    country = _procedures_country(request)
    language = interface_language()
    ruleset = sop.ruleset_in_force(country)
    can_manage = _can_manage(request)
    versions = list(
        SopRuleSet.objects.filter(country=country)
        .exclude(pk=ruleset.pk if ruleset else 0)
        .select_related("published_by")
        .order_by("-version")
    )
    context: dict[str, Any] = {
        "country": country,
        "countries": sorted(
            set(SopRuleSet.objects.values_list("country", flat=True).distinct()) | {country}
        ),
        "ruleset": ruleset,
        "versions": versions,
        "can_manage": can_manage,
        "groups": [],
        "flowchart": "",
    }
    if ruleset is not None:
        rules = list(ruleset.rules.select_related("responsible").order_by("position", "pk"))
        organisations = _country_organisations(country) if can_manage else None
        context.update(
            title=in_language(ruleset, "title", language),
            groups=_sop_groups(rules, language, organisations),
            flowchart=documents.sop_flowchart_svg(ruleset, language),
            terms=pathway.taxonomy_terms() if can_manage else {},
        )
    return render(request, "returns/reference/procedures.html", context)


@capability_required(MANAGE)
def sop_rule_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One step of the procedures in force, changed: a new version of the procedures."""
    rule = get_object_or_404(SopRule.objects.select_related("ruleset", "responsible"), pk=pk)
    ruleset = rule.ruleset
    organisations = _country_organisations(ruleset.country)
    form = _rule_form(rule, organisations, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        changes = form.changes(rule)
        back = reverse("returns:procedures") + f"?country={ruleset.country}"
        if not changes:
            messages.info(
                request,
                _("Nothing changed: the procedures stay at version %(version)s.")
                % {"version": ruleset.version},
            )
            return redirect(back)
        try:
            revised = services.revise_sop_rule(acting_user=request.user, rule=rule, changes=changes)
        except ServiceError as error:
            show_on_form(form, error)
        else:
            messages.success(
                request,
                _(
                    "The procedures are revised: version %(version)s is now in force. Version "
                    "%(previous)s is kept, superseded, for the checklists made under it."
                )
                % {"version": revised.ruleset.version, "previous": ruleset.version},
            )
            return redirect(back)
    context = {
        "rule": rule,
        "ruleset": ruleset,
        "in_force": ruleset.status == SopStatus.IN_FORCE,
        "action": in_language(rule, "action", interface_language()),
        "form": form,
        "terms": pathway.taxonomy_terms(),
    }
    return render(
        request,
        "returns/reference/sop_rule_edit.html",
        context,
        status=400 if form.errors else 200,
    )


@capability_required(*READ)
def sop_guide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The reception procedures guide of one version, as PDF."""
    ruleset = get_object_or_404(SopRuleSet, pk=pk)
    language = document_language(request)
    if language is None:
        return _bad_language()
    pdf = documents.sop_pdf(ruleset, language)
    return pdf_response(pdf, f"sop-{ruleset.country.lower()}-v{ruleset.version}-{language}.pdf")


# --- Entry points and consulates --------------------------------------------------------------


@capability_required(*READ)
def entry_points(request: AuthenticatedHttpRequest) -> HttpResponse:
    points = EntryPoint.objects.prefetch_related(
        Prefetch("partners", queryset=Organisation.objects.order_by("name"))
    ).order_by("country", "code")
    names = country_names(interface_language())
    countries = [
        (code, names.get(code, code), list(items))
        for code, items in groupby(points, key=lambda p: p.country)
    ]
    return render(request, "returns/reference/entry_points.html", {"countries": countries})


@capability_required(*READ)
def consulates(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = Consulate.objects.order_by("receiving_country", "host_country", "city")
    names = country_names(interface_language())
    groups = []
    for code, items in groupby(rows, key=lambda c: c.receiving_country):
        found = list(items)
        for consulate in found:
            consulate.host_name = names.get(consulate.host_country, consulate.host_country)  # type: ignore[attr-defined]
        groups.append((code, names.get(code, code), found))
    return render(request, "returns/reference/consulates.html", {"groups": groups})


# --- Public holidays --------------------------------------------------------------------------


def _country_code(value: str) -> str:
    code = (value or "").strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise forms.ValidationError(_("Give the country as a two-letter code (e.g. DO)."))
    return code


class HolidayForm(forms.Form):
    # Named as the services name it, so that their refusal shows on this field.
    date = forms.DateField(
        label=gettext_lazy("Date"),
        widget=forms.DateInput({"type": "date"}),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": gettext_lazy("Give the date as YYYY-MM-DD.")},
    )
    country = forms.CharField(
        label=gettext_lazy("Country (two-letter code)"), max_length=2, initial=DEFAULT_COUNTRY
    )
    name = forms.CharField(label=gettext_lazy("Name of the holiday"), max_length=200)

    def clean_country(self) -> str:
        return _country_code(self.cleaned_data.get("country", ""))


def _holidays_page(
    request: AuthenticatedHttpRequest, form: HolidayForm | None = None, status: int = 200
) -> HttpResponse:
    rows = Holiday.objects.order_by("country", "date")
    chosen = {"country": request.GET.get("country", "").upper(), "year": request.GET.get("year")}
    if chosen["country"]:
        rows = rows.filter(country=chosen["country"])
    if chosen["year"] and str(chosen["year"]).isdecimal():
        rows = rows.filter(date__year=int(chosen["year"]))
    names = country_names(interface_language())
    groups = [
        (names.get(country, country), country, year, list(items))
        for (country, year), items in groupby(rows, key=lambda h: (h.country, h.date.year))
    ]
    can_manage = _can_manage(request)
    context = {
        "groups": groups,
        "chosen": chosen,
        "countries": [
            (c, names.get(c, c))
            for c in Holiday.objects.values_list("country", flat=True)
            .distinct()
            .order_by("country")
        ],
        "years": [d.year for d in Holiday.objects.dates("date", "year")],
        "can_manage": can_manage,
        "form": (form or HolidayForm(auto_id="id_holiday_%s")) if can_manage else None,
    }
    return render(request, "returns/reference/holidays.html", context, status=status)


@capability_required(*READ)
def holidays(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _holidays_page(request)


@capability_required(MANAGE)
def holiday_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    refused = _post_only(request)
    if refused is not None:
        return refused
    form = HolidayForm(request.POST, auto_id="id_holiday_%s")
    if form.is_valid():
        d = form.cleaned_data
        try:
            added = services.add_holiday(
                acting_user=request.user, country=d["country"], day=d["date"], name=d["name"]
            )
        except ServiceError as error:
            show_on_form(form, error)
        else:
            messages.success(
                request,
                _("Holiday added: %(name)s, %(day)s.")
                % {"name": added.name, "day": _day(added.date)},
            )
            return redirect(reverse("returns:holidays") + f"?country={added.country}")
    return _holidays_page(request, form, status=400)


@capability_required(MANAGE)
def holiday_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    refused = _post_only(request)
    if refused is not None:
        return refused
    found = get_object_or_404(Holiday, pk=pk)
    country, name, day = found.country, found.name, found.date
    services.remove_holiday(acting_user=request.user, holiday=found)
    messages.success(
        request, _("Holiday removed: %(name)s, %(day)s.") % {"name": name, "day": _day(day)}
    )
    return redirect(reverse("returns:holidays") + f"?country={country}")


# --- Advance-list tokens ----------------------------------------------------------------------


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("For whom (authority or partner)"), max_length=200, required=False
    )
    origin_country = forms.CharField(
        label=gettext_lazy("Deporting country (two-letter code)"), max_length=2, initial="DO"
    )

    def clean_origin_country(self) -> str:
        return _country_code(self.cleaned_data.get("origin_country", ""))


def token_organisations(user: Any) -> list[Organisation]:
    """The user's own organisations in which they receive arrivals (and so the lists)."""
    return [
        m.organisation
        for m in user.memberships.select_related("organisation").order_by("organisation__name")
        if has_capability(user, TOKENS, m.organisation_id)
    ]


def _tokens_page(
    request: AuthenticatedHttpRequest,
    *,
    form: TokenForm | None = None,
    issued: tuple[ListToken, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    organisations = token_organisations(request.user)
    can_manage = bool(organisations)
    context = {
        "tokens": ListToken.objects.visible_to(request.user)
        .select_related("organisation", "created_by")
        .order_by("-created_at", "-pk"),
        "can_manage": can_manage,
        "organisations": organisations,
        "form": (form or TokenForm(auto_id="id_token_%s")) if organisations else None,
        "issued": issued[0] if issued else None,
        "raw_token": issued[1] if issued else "",
        "origins": DeportingCountry.objects.order_by("code")
        .values_list("code", flat=True)
        .distinct(),
    }
    response = render(request, "returns/reference/tokens.html", context, status=status)
    if issued:
        # The one response that carries the token itself: never kept by a cache.
        response["Cache-Control"] = "no-store"
    return response


@capability_required(TOKENS)
def tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _tokens_page(request)


@capability_required(TOKENS)
def token_issue(request: AuthenticatedHttpRequest) -> HttpResponse:
    refused = _post_only(request)
    if refused is not None:
        return refused
    organisations = token_organisations(request.user)
    if not organisations:
        raise PermissionDenied(TOKENS)
    wanted = request.POST.get("organisation", "")
    organisation = next((o for o in organisations if str(o.pk) == wanted), organisations[0])
    form = TokenForm(request.POST, auto_id="id_token_%s")
    if form.is_valid():
        try:
            issued = services.issue_token(
                acting_user=request.user,
                organisation=organisation,
                name=form.cleaned_data["name"],
                origin_country=form.cleaned_data["origin_country"],
            )
        except ServiceError as error:
            show_on_form(form, error)
        else:
            return _tokens_page(request, issued=issued)
    return _tokens_page(request, form=form, status=400)


@capability_required(TOKENS)
def token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    refused = _post_only(request)
    if refused is not None:
        return refused
    token = get_object_for_user(ListToken, request.user, capability=TOKENS, pk=pk)
    services.revoke_token(acting_user=request.user, token=token)
    messages.success(
        request,
        _("Token revoked: %(name)s can no longer send lists with it.") % {"name": token.name},
    )
    return redirect("returns:tokens")


urlpatterns: list[URLPattern] = [
    path("returns/protocols/", protocol_list, name="protocols"),
    path("returns/protocols/<int:pk>/", protocol, name="protocol"),
    path(
        "returns/protocols/<int:pk>/document.<str:fmt>",
        protocol_document,
        name="protocol_document",
    ),
    path("returns/protocols/rules/<int:pk>/confirm/", confirm_rule, name="confirm_rule"),
    path("returns/procedures/", procedures, name="procedures"),
    path("returns/procedures/<int:pk>/guide.pdf", sop_guide, name="sop_guide"),
    path("returns/procedures/rules/<int:pk>/edit/", sop_rule_edit, name="sop_rule_edit"),
    path("returns/entry-points/", entry_points, name="entry_points"),
    path("returns/consulates/", consulates, name="consulates"),
    path("returns/holidays/", holidays, name="holidays"),
    path("returns/holidays/add/", holiday_add, name="holiday_add"),
    path("returns/holidays/<int:pk>/remove/", holiday_remove, name="holiday_remove"),
    path("returns/tokens/", tokens, name="tokens"),
    path("returns/tokens/issue/", token_issue, name="token_issue"),
    path("returns/tokens/<int:pk>/revoke/", token_revoke, name="token_revoke"),
]
