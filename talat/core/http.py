"""Small helpers for entry points (views and API handlers) of every app."""

import csv

from django.http import HttpResponse


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    """A CSV download that spreadsheet programs open as UTF-8 (so Thai reads right)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def site_url(request) -> str:
    """'https://talat.example.th': for links in e-mails sent on behalf of a request."""
    return request.build_absolute_uri("/").rstrip("/")
