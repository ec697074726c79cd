"""What every app's documents share: a self-contained HTML page to PDF, a table in a Word file."""

from __future__ import annotations

from typing import Any


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint on a page whose CSS and SVG are inline and whose fonts are installed: no base
    URL, nothing fetched."""
    from weasyprint import HTML

    return bytes(HTML(string=html).write_pdf())


def docx_table(doc: Any, header: list[str], rows: list[list[str]]) -> Any:
    """A python-docx table with a bold header row, in Word's plain grid style."""
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, value in zip(table.rows[0].cells, header, strict=True):
        cell.text = value
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    return table
