"""Helpers for report tests: PDF text, page pictures."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pdfplumber


def pdf_text(pdf: bytes) -> str:
    """All text of a PDF, pages joined by newlines."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "\n".join(page.extract_text() or "" for page in doc.pages)


def pdf_pages(pdf: bytes) -> int:
    """Number of pages of a PDF."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return len(doc.pages)


def page_picture(pdf: bytes, tmp_path: Path, page: int = 1, dpi: int = 40) -> Path:
    """Render one page to PNG with pdftoppm and return its path."""
    src = tmp_path / "doc.pdf"
    src.write_bytes(pdf)
    prefix = tmp_path / f"page{page}"
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
                    "-singlefile", str(src), str(prefix)], check=True)
    return prefix.with_suffix(".png")


def has_phrase(text: str, phrase: str, gap: int = 8) -> bool:
    """True if the words of `phrase` occur in order in `text`, allowing up to `gap` other
    words between them (table cells wrap, and the text of neighbouring cells interleaves)."""
    import re

    words = [re.escape(w) for w in phrase.split()]
    pattern = rf"\s+(?:\S+\s+){{0,{gap}}}?".join(words)
    return re.search(pattern, text) is not None
