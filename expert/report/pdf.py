"""The diagnosis as a PDF: the HTML report laid out on A4 pages by WeasyPrint.

The PDF is the HTML report (:func:`expert.report.html.render_html`) under its
print styles: the summary on the first page, the plan from the second, the
plan graph alone on a landscape page so that its boxes stay legible, then the
appendices, each page numbered.

Why WeasyPrint: it is a maintained Python library (``pip install
'accord[pdf]'``) whose only system libraries are Pango and HarfBuzz, which a
Debian or Ubuntu machine has as soon as any desktop text stack is there
(``apt-get install libpango-1.0-0 libpangoft2-1.0-0``). It needs no browser
and no network, honours CSS paged media (named landscape pages, page
counters) and draws the inline SVG of the plan graph itself. A headless
browser would print the same HTML, but it is a 300 MB system package on a
machine that otherwise needs none. Without WeasyPrint (or its libraries),
:class:`~expert.errors.PdfUnavailableError` says what to install.
"""

from __future__ import annotations

import warnings

from ..diagnosis import Diagnosis
from ..errors import PdfUnavailableError
from ..report.html import render_html


def _weasyprint():
    """The weasyprint module, or PdfUnavailableError saying what is missing."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import weasyprint
    except ImportError:
        raise PdfUnavailableError("the Python package WeasyPrint is not installed") from None
    except OSError as exc:  # the package is there, its system libraries (Pango) are not
        raise PdfUnavailableError(f"WeasyPrint cannot load its system libraries ({str(exc).splitlines()[0]})") from None
    return weasyprint


def pdf_document(d: Diagnosis, lang: str = "en"):
    """The laid-out report: a ``weasyprint.Document`` whose ``pages`` can be counted and measured."""
    weasyprint = _weasyprint()
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # CSS it skips (screen-only rules) is not news
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return weasyprint.HTML(string=render_html(d, lang)).render()


def render_pdf(d: Diagnosis, lang: str = "en") -> bytes:
    """The report as PDF bytes, A4, in ``lang``; the same answers give the same bytes.

    Raises
    ------
    PdfUnavailableError
        When WeasyPrint or its system libraries are missing.
    """
    document = pdf_document(d, lang)
    # No creation or modification date: the same answers must give the same file.
    document.metadata.created = document.metadata.modified = None
    return document.write_pdf()
