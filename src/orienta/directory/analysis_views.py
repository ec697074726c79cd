from __future__ import annotations

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from orienta.accounts.access import capability_required
from orienta.core.http import AuthenticatedHttpRequest
from orienta.directory.analysis import Analysis, analyse


def _threshold(request: AuthenticatedHttpRequest) -> int:
    try:
        return max(2, min(50, int(request.GET.get("overlap", "3"))))
    except ValueError:
        return 3


@capability_required("directory.view_analysis", "directory.manage_services")
def mapping_analysis(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Coverage by category and area, gaps, overlaps, services at risk, free share; as a page,
    a CSV (?format=csv) or a PDF (?format=pdf)."""
    result = analyse(_threshold(request))
    output = request.GET.get("format", "")
    if output == "csv":
        return _csv(result)
    context = {"analysis": result, "generated": timezone.localtime()}
    if output == "pdf":
        from weasyprint import HTML

        html = render_to_string("directory/manage/analysis_print.html", context, request=request)
        response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="etat-des-lieux.pdf"'
        return response
    return render(request, "directory/manage/analysis.html", context)


def _csv(result: Analysis) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="etat-des-lieux.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "category",
            "category_label",
            "admin1_code",
            "admin1_name",
            "active_services",
            "gap",
            "overlap",
        ]
    )
    for code, label in result.categories:
        for area, name in result.areas:
            count = result.cell(code, area)
            writer.writerow(
                [
                    code,
                    label,
                    area,
                    name,
                    count,
                    int(count == 0),
                    int(count >= result.overlap_threshold),
                ]
            )
    return response
