"""Markdown as the platform shows it, writes it to Word, and compares two versions of it.

Raw HTML in the Markdown is escaped, not rendered ("js-default" preset: CommonMark with HTML
off and markdown-it's link validation, which refuses javascript: and data: links), so a
document cannot carry a script into the pages of the people who read it."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("js-default").enable("table")


def to_html(text: str) -> SafeString:
    return mark_safe(_parser().render(text or ""))  # noqa: S308 - HTML is escaped by the parser


def headings(text: str) -> list[str]:
    """The section titles of a Markdown text, in order (for the comment form's section list)."""
    found = []
    tokens = _parser().parse(text or "")
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and index + 1 < len(tokens):
            found.append(tokens[index + 1].content.strip())
    return [title for title in found if title]


# --- Word -------------------------------------------------------------------------------------


def _inline(paragraph: Any, token: Any) -> None:
    bold = italic = False
    for child in token.children or []:
        if child.type == "strong_open":
            bold = True
        elif child.type == "strong_close":
            bold = False
        elif child.type == "em_open":
            italic = True
        elif child.type == "em_close":
            italic = False
        elif child.type in ("text", "code_inline"):
            run = paragraph.add_run(child.content)
            run.bold, run.italic = bold or None, italic or None
        elif child.type in ("softbreak", "hardbreak"):
            paragraph.add_run(" " if child.type == "softbreak" else "\n")


def add_markdown(doc: Any, text: str, *, heading_offset: int = 0) -> None:
    """Append Markdown to a python-docx document: headings, paragraphs, lists, quotes, tables."""
    tokens = _parser().parse(text or "")
    lists: list[str] = []
    heading_level = 0
    quote = 0
    row: list[str] | None = None
    rows: list[list[str]] = []
    for token in tokens:
        kind = token.type
        if kind == "heading_open":
            heading_level = min(int(token.tag[1]) + heading_offset, 9)
        elif kind in ("bullet_list_open", "ordered_list_open"):
            lists.append("List Bullet" if kind == "bullet_list_open" else "List Number")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            rows.append(row)
            row = None
        elif kind == "table_close" and rows:
            width = max(len(r) for r in rows)
            table = doc.add_table(rows=0, cols=width)
            table.style = "Table Grid"
            for values in rows:
                cells = table.add_row().cells
                for cell, value in zip(cells, values + [""] * (width - len(values)), strict=True):
                    cell.text = value
            rows = []
        elif kind == "inline" and row is not None:
            row.append(token.content)
        elif kind == "inline":
            if heading_level:
                doc.add_heading(token.content, level=heading_level)
                heading_level = 0
                continue
            style = lists[-1] if lists else ("Quote" if quote else None)
            paragraph = doc.add_paragraph(style=style)
            _inline(paragraph, token)
        elif kind in ("fence", "code_block"):
            doc.add_paragraph(token.content.rstrip("\n"))


# --- Diff -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffLine:
    """One line of a comparison: `kind` is "same", "added", "removed" or "changed"; a changed
    line carries the old and new text with the changed words marked up (already escaped)."""

    kind: str
    old: SafeString
    new: SafeString
    old_number: int | None
    new_number: int | None


_WORDS = re.compile(r"\s+|[^\s]+")


def _marked_words(old: str, new: str) -> tuple[SafeString, SafeString]:
    before, after = _WORDS.findall(old), _WORDS.findall(new)
    left: list[str] = []
    right: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after).get_opcodes():
        old_part, new_part = escape("".join(before[i1:i2])), escape("".join(after[j1:j2]))
        if op == "equal":
            left.append(old_part)
            right.append(new_part)
            continue
        if old_part:
            left.append(f"<del>{old_part}</del>")
        if new_part:
            right.append(f"<ins>{new_part}</ins>")
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308 - escaped above


def compare(old: str, new: str) -> list[DiffLine]:
    """Line-by-line comparison of two texts; paired changed lines show the changed words."""
    before, after = (old or "").splitlines(), (new or "").splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for offset in range(i2 - i1):
                text = escape(before[i1 + offset])
                lines.append(DiffLine("same", text, text, i1 + offset + 1, j1 + offset + 1))
            continue
        paired = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for offset in range(paired):
            left, right = _marked_words(before[i1 + offset], after[j1 + offset])
            lines.append(DiffLine("changed", left, right, i1 + offset + 1, j1 + offset + 1))
        for index in range(i1 + paired, i2):
            lines.append(DiffLine("removed", escape(before[index]), mark_safe(""), index + 1, None))
        for index in range(j1 + paired, j2):
            lines.append(DiffLine("added", mark_safe(""), escape(after[index]), None, index + 1))
    return lines


def diff_counts(lines: list[DiffLine]) -> dict[str, int]:
    counts = {"added": 0, "removed": 0, "changed": 0}
    for line in lines:
        if line.kind in counts:
            counts[line.kind] += 1
    return counts
