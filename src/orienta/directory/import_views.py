"""Spreadsheet import for coordinators: upload, map columns, check every row, import."""

from __future__ import annotations

import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from orienta.accounts.access import capability_required
from orienta.core.http import AuthenticatedHttpRequest
from orienta.directory.hsds.importer import ImportRejectedError
from orienta.directory.packs import load_directory_pack
from orienta.directory.spreadsheet import FIELDS, Problem, guess_mapping, read_table, to_pack

SALT = "orienta.directory.spreadsheet"
MAX_BYTES = 10 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(label=_lazy("Spreadsheet (XLSX or CSV)"))
    country = forms.CharField(label=_lazy("Country (ISO code)"), max_length=2, initial="HT")
    currency = forms.CharField(label=_lazy("Currency"), max_length=3, initial="HTG", required=False)

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_lazy("Choose an .xlsx or .csv file."))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_lazy("The file is larger than 10 MB."))
        return upload


def _folder() -> Path:
    folder = Path(settings.ORIENTA_HOME) / "imports"
    folder.mkdir(exist_ok=True)
    return folder


@capability_required("directory.manage_services")
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        suffix = ".xlsx" if upload_file.name.lower().endswith(".xlsx") else ".csv"
        stored = f"{uuid.uuid4().hex}{suffix}"
        (_folder() / stored).write_bytes(upload_file.read())
        token = signing.dumps(
            {
                "user": request.user.pk,
                "file": stored,
                "country": form.cleaned_data["country"].upper(),
                "currency": form.cleaned_data["currency"].upper(),
            },
            salt=SALT,
        )
        return redirect("directory:import_map", token=token)
    return render(
        request,
        "directory/manage/import_upload.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@capability_required("directory.manage_services")
def map_columns(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    try:
        ticket = signing.loads(token, salt=SALT, max_age=24 * 3600)
    except signing.BadSignature:
        raise Http404 from None
    path = _folder() / Path(ticket["file"]).name
    if ticket["user"] != request.user.pk or not path.exists():
        raise Http404
    header, rows, problems = read_table(path.name, path.read_bytes())
    mapping = guess_mapping(header)
    if request.method == "POST":
        mapping = {}
        for field in FIELDS:
            raw = request.POST.get(field.name, "")
            if raw.isdecimal() and int(raw) < len(header):
                mapping[field.name] = int(raw)
        if not problems:
            pack, problems = to_pack(
                header, rows, mapping, country=ticket["country"], currency=ticket["currency"]
            )
        if not problems:
            try:
                report = load_directory_pack(pack, actor=request.user, source=path.stem)
            except ImportRejectedError as rejected:
                problems = [
                    Problem(0, p.field, f"{p.where}: {p.message}") for p in rejected.problems
                ]
            else:
                path.unlink(missing_ok=True)
                messages.success(
                    request,
                    _("%(created)s services created, %(updated)s updated.")
                    % {
                        "created": report.created.get("service", 0),
                        "updated": report.updated.get("service", 0),
                    },
                )
                return redirect("directory:service_list")
    context = {
        "header": header,
        "fields": [(f, mapping.get(f.name)) for f in FIELDS],
        "problems": problems,
        "rows": len(rows),
        "preview": rows[:5],
    }
    return render(
        request,
        "directory/manage/import_map.html",
        context,
        status=400 if problems and request.method == "POST" else 200,
    )
