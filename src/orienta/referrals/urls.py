from django.urls import path

from orienta.referrals.views import agreements, external, inbox, pages

app_name = "referrals"

urlpatterns: list = []

# --- referral pages, inbox, agreements, external links (views/pages.py and friends) ---
urlpatterns += [
    path("cases/<uuid:pk>/refer/", pages.refer, name="refer"),
    path("referrals/", pages.referral_list, name="list"),
    path("referrals/inbox/", inbox.inbox, name="inbox"),
    path("referrals/inbox/capacity/<uuid:service_id>/", inbox.capacity, name="capacity"),
    path("referrals/agreements/", agreements.agreement_list, name="agreements"),
    path("referrals/agreements/new/", agreements.agreement_edit, name="agreement_new"),
    path("referrals/agreements/<uuid:pk>/", agreements.agreement, name="agreement"),
    path(
        "referrals/agreements/<uuid:pk>/document/",
        agreements.agreement_document,
        name="agreement_document",
    ),
    path("referrals/deadlines/", agreements.deadlines, name="deadlines"),
    path("referrals/<uuid:pk>/", pages.referral, name="referral"),
    path("referrals/<uuid:pk>/messages/", pages.post_message, name="message"),
    path("referrals/<uuid:pk>/share/", pages.share_more, name="share"),
    path("referrals/<uuid:pk>/onward/", pages.refer_onward, name="onward"),
    path("referrals/<uuid:pk>/links/", pages.issue_link, name="issue_link"),
    path("referrals/<uuid:pk>/links/<int:link_id>/revoke/", pages.revoke_link, name="revoke_link"),
    path(
        "referrals/<uuid:pk>/<str:action>/",
        pages.transition,
        name="transition",
    ),
    path("r/<str:token>/", external.external_referral, name="external"),
]
# --- end of referral pages ---

# --- documents: referral form PDF, pathway flowchart, SOP annex (views/documents.py) ---
from orienta.referrals.views import documents  # noqa: E402

urlpatterns += [
    path("referrals/<uuid:pk>/form.pdf", documents.referral_form_pdf, name="form_pdf"),
    path("referrals/pathway/", documents.pathway_page, name="pathway"),
    path("referrals/pathway.pdf", documents.pathway_pdf, name="pathway_pdf"),
]
# --- end of documents ---

# --- dashboard (views/dashboard.py) ---
from orienta.referrals.views import dashboard  # noqa: E402

urlpatterns += [path("referrals/dashboard/", dashboard.referral_dashboard, name="dashboard")]
# --- end of dashboard ---
