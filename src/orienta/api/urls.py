"""The REST API at /api/v1/: each app's router, one authentication, one error format."""

from ninja import NinjaAPI

from orienta import __version__
from orienta.accounts.api import router as accounts_router
from orienta.api import errors
from orienta.api.auth import AUTH
from orienta.audit.api import router as audit_router
from orienta.cases.api import router as cases_router
from orienta.directory.api import router as directory_router
from orienta.governance.api import router as governance_router
from orienta.identity.api import router as identity_router
from orienta.indicators.api import router as indicators_router
from orienta.referrals.api import router as referrals_router
from orienta.referrals.api_dashboard import router as referrals_dashboard_router
from orienta.returns.api import router as returns_router

api = NinjaAPI(
    title="Orienta API",
    version=__version__,
    description=(
        "Orienta's REST API. Authenticate with a personal API token "
        "(`Authorization: Bearer <token>`, created on your account page) or, from the platform's "
        "own pages, the browser session with its CSRF token. Errors are JSON objects "
        '`{"code", "message", "details"}`.'
    ),
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("/", accounts_router)
api.add_router("/", directory_router)
api.add_router("/", audit_router)
api.add_router("/", cases_router)
api.add_router("/", identity_router)
# The dashboard before the referrals: "/referrals/dashboard" is not a referral id.
api.add_router("/", referrals_dashboard_router)
api.add_router("/", referrals_router)
api.add_router("/returns/", returns_router)
api.add_router("/governance/", governance_router)
api.add_router("/", indicators_router)
