from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import capabilities_of

# (label, url name, capability needed — or several, any of which will do — or None for every
# signed-in person[, capabilities that hide the entry because another one leads there])
NAVIGATION: list[tuple[Any, ...]] = [
    (_("Home"), "core:home", None),
    (_("Directory"), "public:directory", None),
    (_("Cases"), "cases:list", ("cases.work_cases", "cases.view_caseload")),
    (_("Register"), "cases:register", "cases.register"),
    (_("Duplicates"), "identity:duplicates", "cases.resolve_duplicates"),
    (_("Inbox"), "referrals:inbox", "referrals.receive"),
    (_("Referrals"), "referrals:list", ("referrals.send", "referrals.receive")),
    (
        _("Agreements"),
        "referrals:agreements",
        ("referrals.view_agreements", "referrals.manage_agreements"),
    ),
    (_("Movements"), "returns:movements", "returns.view_movements"),
    (_("Compliance"), "returns:compliance", "returns.view_compliance"),
    (
        _("Protocols"),
        "returns:protocols",
        ("returns.manage_reception", "returns.view_compliance", "returns.view_movements"),
    ),
    (_("Governance"), "governance:committees", ("governance.view", "governance.manage")),
    # Analysts reach the indicators directly; the others from the committees' pages.
    (
        _("Governance indicators"),
        "governance:dashboard",
        "governance.view_indicators",
        ("governance.view", "governance.manage"),
    ),
    (_("Community projects"), "reintegration:projects", "reintegration.work"),
    (_("Sustainability survey"), "reintegration:rss", "reintegration.configure"),
    (_("Knowledge base"), "knowledge:entities", "knowledge.view"),
    (_("Organisations"), "directory:organisation_list", "directory.view_organisations"),
    (
        _("Services"),
        "directory:service_list",
        ("directory.manage_services", "directory.propose_service_changes"),
    ),
    (_("Mapping"), "directory:analysis", ("directory.view_analysis", "directory.manage_services")),
    (
        _("Referral dashboard"),
        "referrals:dashboard",
        ("referrals.view_statistics", "referrals.view_mechanism_statistics"),
    ),
    (_("Indicators"), "indicators:index", "indicators.view"),
    (_("Referral pathways"), "referrals:pathway", None),
    (_("Audit trail"), "audit:event_list", "audit.view_events"),
    (_("Notifications"), "accounts:notifications", None),
    (_("Administration"), "admin:index", "accounts.administer_platform"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        held = capabilities_of(user)
        for label, name, capability, *hidden_by in NAVIGATION:
            wanted = (capability,) if isinstance(capability, str) else (capability or ())
            if hidden_by and any(other in held for other in hidden_by[0]):
                continue
            if not wanted or any(name in held for name in wanted):
                url = reverse(name)
                items.append({"label": label, "url": url, "active": request.path == url})
    match = getattr(request, "resolver_match", None)
    public = match is not None and match.namespace in ("public", "public_statistics")
    codes = settings.ORIENTA_PUBLIC_LANGUAGES if public else settings.ORIENTA_INTERFACE_LANGUAGES
    languages = [get_language_info(code) for code in codes]
    return {
        "navigation": items,
        "interface_languages": languages,
        "public_statistics": settings.ORIENTA_PUBLIC_STATISTICS,
    }
