"""What every app's documents share: a self-contained HTML page to PDF, a table in a Word file."""

from __future__ import annotations

import functools
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname


def static_root() -> Path:
    """The `static` folder of the installed `orienta` package (a clone's `src/orienta/static`
    after `pip install -e`): the only place documents may load files from."""
    import orienta

    return (Path(orienta.__file__).resolve().parent / "static").resolve()


def vendored_font_url(relative_path: str) -> str:
    """The `file://` address of a font shipped under `static/vendor/fonts` (for example
    `noto-naskh-arabic/NotoNaskhArabic-Regular.ttf`), for a PDF's `@font-face`: the fonts travel
    with the package, so a document does not depend on the fonts of the server it runs on.
    Raises `FileNotFoundError` for a file that is not there (or not under that folder)."""
    fonts = static_root() / "vendor" / "fonts"
    path = (fonts / relative_path).resolve()
    if not path.is_relative_to(fonts) or not path.is_file():
        raise FileNotFoundError(f"No vendored font {relative_path!r} under {fonts}")
    return path.as_uri()


@functools.cache
def _static_only_fetcher_class() -> type:
    """WeasyPrint's `URLFetcher`, restricted: it reads `file://` addresses inside the package's
    static folder (the vendored fonts) and refuses everything else, so that nothing a document
    holds can make the server read its other files or reach the network. Built on first use
    because WeasyPrint (and Pango) are imported only when a PDF is made."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyURLFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
                raise ValueError(f"Refused to fetch {url!r}: documents load packaged files only")
            path = Path(url2pathname(parts.path)).resolve()
            if not path.is_relative_to(static_root()) or not path.is_file():
                raise ValueError(f"Refused to fetch {url!r}: not a file of the package's static")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), path.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticOnlyURLFetcher


def static_only_url_fetcher() -> Any:
    """A new WeasyPrint URL fetcher that loads only the package's static files (see above)."""
    return _static_only_fetcher_class()()


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint on a page whose CSS and SVG are inline: no base URL, nothing fetched from the
    network. Fonts are the installed ones, and those of `@font-face` rules pointing at the
    package's vendored fonts (`vendored_font_url`) — the only files the fetcher will read."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    document = HTML(string=html, url_fetcher=static_only_url_fetcher())
    return bytes(document.write_pdf(font_config=fonts))


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
