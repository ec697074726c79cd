"""Importing a manifest from the movement page: upload, check the column mapping, import;
then the rejected rows, each fixable where it stands."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from orienta.accounts.access import capability_required, get_object_for_user
from orienta.audit.services import record_view
from orienta.core.errors import ServiceError
from orienta.core.http import AuthenticatedHttpRequest
from orienta.core.tables import Row as TableRow
from orienta.returns import importing
from orienta.returns import manifest as reading
from orienta.returns.choices import RowStatus
from orienta.returns.forms import FixRowForm, UploadForm
from orienta.returns.models import Manifest, ManifestRow, Movement

SALT = "orienta.returns.manifest"
LABELS = {
    "family_name": _("Family name"),
    "given_name": _("Given names"),
    "sex": _("Sex"),
    "birth_date": _("Date of birth"),
    "age": _("Age"),
    "nationality": _("Nationality"),
    "document_number": _("Document number"),
}


def _folder() -> Path:
    folder = Path(settings.ORIENTA_HOME) / "imports"
    folder.mkdir(exist_ok=True)
    return folder


def _receiving(request: AuthenticatedHttpRequest, pk: Any) -> Movement:
    return get_object_for_user(
        Movement.objects.select_related("entry_point"),
        request.user,
        capability="returns.receive_arrivals",
        pk=pk,
    )


@capability_required("returns.receive_arrivals")
def upload(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    movement = _receiving(request, pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        sent = form.cleaned_data["file"]
        suffix = ".xlsx" if sent.name.lower().endswith(".xlsx") else ".csv"
        stored = f"{uuid.uuid4().hex}{suffix}"
        (_folder() / stored).write_bytes(sent.read())
        ticket = {
            "user": str(request.user.pk),
            "movement": str(movement.pk),
            "file": stored,
            "name": sent.name[:200],
            "source": form.cleaned_data["source"],
        }
        return redirect(
            "returns:manifest_map", pk=movement.pk, token=signing.dumps(ticket, salt=SALT)
        )
    return render(
        request,
        "returns/manifest_upload.html",
        {"form": form, "movement": movement},
        status=400 if form.errors else 200,
    )


@capability_required("returns.receive_arrivals")
def map_columns(request: AuthenticatedHttpRequest, pk: Any, token: str) -> HttpResponse:
    movement = _receiving(request, pk)
    try:
        ticket = signing.loads(token, salt=SALT, max_age=24 * 3600)
    except signing.BadSignature:
        raise Http404 from None
    stored = _folder() / Path(ticket["file"]).name
    if ticket["user"] != str(request.user.pk) or ticket["movement"] != str(movement.pk):
        raise Http404
    if not stored.exists():
        raise Http404
    problems: list[Any] = []
    header: list[str] = []
    preview: list[TableRow] = []
    mapping: dict[str, str] = {}
    try:
        table = reading.read(stored.name, stored.read_bytes())
    except reading.UnusableFileError as unusable:
        problems = unusable.problems
    else:
        header, preview = table.header, table.rows[:5]
        remembered = importing.remembered_mapping(movement, ticket["source"])
        mapping = reading.guess_mapping(header, remembered)
    if request.method == "POST" and not problems:
        mapping = {f: request.POST[f] for f in reading.FIELD_NAMES if request.POST.get(f) in header}
        try:
            result = importing.import_manifest(
                acting_user=request.user,
                movement=movement,
                name=ticket["name"],
                data=stored.read_bytes(),
                source=ticket["source"],
                mapping=mapping,
            )
        except reading.UnusableFileError as unusable:
            problems = unusable.problems
        else:
            stored.unlink(missing_ok=True)
            messages.success(
                request,
                _(
                    "%(accepted)s persons listed, %(rejected)s rows to correct, "
                    "%(repeat)s repeat returnees."
                )
                % {
                    "accepted": result.accepted,
                    "rejected": result.rejected,
                    "repeat": result.repeat_returns,
                },
            )
            return redirect("returns:manifest", pk=result.manifest.pk)
    return render(
        request,
        "returns/manifest_map.html",
        {
            "movement": movement,
            "header": header,
            "preview": preview,
            "fields": [(f, LABELS[f.name], mapping.get(f.name, "")) for f in reading.FIELDS],
            "problems": problems,
            "rows": len(table.rows) if not problems else 0,
        },
        status=400 if problems else 200,
    )


@capability_required("returns.view_movements")
def manifest(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = get_object_for_user(
        Manifest.objects.select_related("movement", "movement__entry_point"), request.user, pk=pk
    )
    rejected = list(found.rows.filter(status=RowStatus.REJECTED).order_by("row_number"))
    repeat = found.rows.filter(status=RowStatus.ACCEPTED, repeat_return=True).count()
    record_view(
        request,
        found,
        organisation=found.movement.organisation,
        details={"rejected_rows_shown": len(rejected)},
    )
    return render(
        request,
        "returns/manifest.html",
        {
            "manifest": found,
            "movement": found.movement,
            "rejected": [
                (row, FixRowForm(cells=row.cells, prefix=f"r{row.pk}")) for row in rejected
            ],
            "accepted": found.rows.filter(status=RowStatus.ACCEPTED).count(),
            "withdrawn": found.rows.filter(status=RowStatus.WITHDRAWN).count(),
            "repeat": repeat,
        },
    )


@capability_required("returns.receive_arrivals")
def fix_row(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    row = get_object_for_user(
        ManifestRow.objects.select_related("manifest", "movement"),
        request.user,
        capability="returns.receive_arrivals",
        pk=pk,
    )
    if request.method != "POST":
        return redirect("returns:manifest", pk=row.manifest_id)
    form = FixRowForm(request.POST, cells=row.cells, prefix=f"r{row.pk}")
    if form.is_valid():
        try:
            fixed = importing.fix_row(acting_user=request.user, row=row, cells=form.cells())
        except ServiceError as error:
            messages.error(request, str(error.message))
        else:
            if fixed.status == RowStatus.ACCEPTED:
                messages.success(request, _("Row %(row)s accepted.") % {"row": fixed.row_number})
            else:
                messages.error(
                    request,
                    _("Row %(row)s still has problems: %(problems)s")
                    % {
                        "row": fixed.row_number,
                        "problems": "; ".join(p["message"] for p in fixed.problems),
                    },
                )
    return redirect("returns:manifest", pk=row.manifest_id)


urlpatterns: list[URLPattern] = [
    path("returns/movements/<uuid:pk>/manifest/", upload, name="manifest_upload"),
    path("returns/movements/<uuid:pk>/manifest/<str:token>/", map_columns, name="manifest_map"),
    path("returns/manifests/<int:pk>/", manifest, name="manifest"),
    path("returns/rows/<int:pk>/fix/", fix_row, name="fix_row"),
]
