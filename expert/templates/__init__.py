"""Jinja2 templates of the Markdown and HTML reports, shipped inside the package."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

DIRECTORY = Path(__file__).resolve().parent


@lru_cache(maxsize=2)
def environment(kind: str) -> jinja2.Environment:
    """The template environment: ``html`` escapes every value; ``md`` leaves escaping to the ``md`` filters."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(DIRECTORY)), autoescape=kind == "html",
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    if kind == "md":
        from ..report.markdown import markdown_cell, markdown_text

        env.filters["md"] = markdown_text
        env.filters["cell"] = markdown_cell
    return env
