"""What a manager reads carries no internals (issue 13).

Every report a manager or a client reads — text, Markdown, HTML (and so the
PDF, which is the HTML laid out on pages) — of every example, in English and
Russian, is checked for what only the program's authors understand: an
internal id (knowledge, rule or question), a raw score format (``+0.41``,
``1:-0.85``, ``+54``), a string left untranslated or a template field left
unfilled, and, in Russian, a Latin role acronym (CEO, CMO, CCO, CRO) where
Russian business usage spells the title out.
"""

from __future__ import annotations

import html
import re

import pytest

import expert
from expert.report.html import render_html
from expert.report.markdown import render_markdown
from expert.report.text import render_text

from conftest import EXAMPLES
from consult_script import example
from test_report_documents import Page, english_texts, normal

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
KB_ID = re.compile(r"\b(?:LEVEL|SIGN|TRANS|SYM|CAUSE|CTX|MEAS|FACT|SRC|CONTRA)-[A-Z0-9]")
RAW_SCORE = re.compile(r"(?<![\w.,])(?:[+−]\d|-\d+[.,]\d)|\b\d:[+−-]\d")
DECIMAL_POINT = re.compile(r"(?<![\d.])\d\.\d{1,2}(?![\d.])")  # 0.91, not a date like 07.12.2026
FIELD = re.compile(r"\{[a-z_|]+\}")
ROLE_ACRONYM = re.compile(r"\b(?:CEO|CMO|CCO|CRO)\b")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9&]*")
# Latin that Russian business usage keeps, the product's own name, and the names of the companies and
# research firms the evidence cites, which Russian writes as they are.
RUSSIAN_KEEPS = {"CRM", "KPI", "B2B", "B2C", "R&D", "ROI", "PR", "FMCG", "P", "Accord",  # P: the four P of marketing
                 "Aberdeen", "Newbury", "Group", "Aegon", "Financial", "Markets", "General", "Electric", "Lucent",
                 "Technologies", "IBM", "Microsoft", "Procter", "Gamble", "P&G", "Coca", "Cola", "Kraft", "Mills",
                 "Citigroup", "Aiqi"}


@pytest.fixture(scope="module")
def reports(system):
    """Every manager-facing report: (example, lang, format) → its visible text."""
    out = {}
    for path in EXAMPLE_FILES:
        d = expert.diagnose(example(system, path), system)
        for lang in ("en", "ru"):
            md = render_markdown(d, lang)
            before, _, after = md.partition("```mermaid")  # the diagram's source is no reading matter
            md = before + after.partition("```")[2]
            out[(path.stem, lang, "html")] = (d, Page(render_html(d, lang)).text)
            md = re.sub(r"\]\(#[^)]*\)", "]", md)  # a link's target is not shown
            out[(path.stem, lang, "md")] = (d, normal(html.unescape(re.sub(r"<[^>]+>", " ", md).replace("\\", ""))))
            text = render_text(d, lang)  # the last line is a command to copy, for the consultant at the terminal
            text = normal(text)
            out[(path.stem, lang, "text")] = (d, text.rpartition(" accord explain ")[0] or text)
    return out


def _without_citations(d, text: str) -> str:
    """The text without the organisation's name and the literature's references, which stay as published."""
    for source in d.kb.sources.values():
        if source.kind != "seed":
            text = text.replace(normal(source.citation), "")
    return text.replace(d.sheet.organization, "") if d.sheet.organization else text


KEYS = [(p.stem, lang, fmt) for p in EXAMPLE_FILES for lang in ("en", "ru") for fmt in ("text", "md", "html")]


@pytest.mark.parametrize("key", KEYS, ids=["-".join(k) for k in KEYS])
def test_a_manager_facing_report_has_no_ids_raw_scores_or_untranslated_text(reports, key, system):
    d, text = reports[key]
    _, lang, fmt = key
    kb = d.kb
    problems = [f"internal id {m.group(0)}…" for m in KB_ID.finditer(text)]
    words = set(re.findall(r"[\w-]+", text))
    problems += [f"question id {q}" for q in kb.questions if "_" in q and q in words]
    problems += [f"rule id {r}" for r in d.system.rules.rules if r.count("-") >= 2 and r in words]
    problems += [f"raw score {text[max(0, m.start() - 15):m.end() + 5]!r}" for m in RAW_SCORE.finditer(text)]
    problems += [f"unfilled field {m.group(0)}" for m in FIELD.finditer(text)]
    problems += [f"message id {k}" for k in kb.messages if "." in k and k in words]
    body = _without_citations(d, text)
    if lang == "ru":
        problems += [f"role acronym {m.group(0)}: {text[max(0, m.start() - 30):m.end() + 10]!r}"
                     for m in ROLE_ACRONYM.finditer(text)]
        problems += [f"English text {e!r}" for e in english_texts(system) if e in body]
        problems += [f"decimal point {m.group(0)} (Russian writes 0,91)" for m in DECIMAL_POINT.finditer(body)]
        latin = sorted({w for w in LATIN_WORD.findall(body) if w not in RUSSIAN_KEEPS})
        problems += [f"Latin words {latin}"] if latin else []
    else:
        cyrillic = re.findall(r"\w*[а-яё]\w*", body, flags=re.IGNORECASE)
        problems += [f"Cyrillic {sorted(set(cyrillic))[:8]}"] if cyrillic else []
    assert not problems, "\n".join(problems[:25])


def test_the_checks_catch_what_they_are_for():
    """The patterns themselves: what issue 13 found in the reports is caught, plain text is not."""
    assert RAW_SCORE.search("Support for each level: 1:-0.85 2:+0.91")
    assert RAW_SCORE.search("evidence scores (+0.41, +54)")
    assert RAW_SCORE.search("strength −0.66")
    assert not RAW_SCORE.search("very likely, 0.91; weeks 2–5; 1 → 3 → 4 → 11; 23 %")
    assert KB_ID.search("accord explain --how MEAS-SHARED-CRM") and not KB_ID.search("CRM and KPI")
    assert ROLE_ACRONYM.search("Еженедельные встречи CMO и CCO") and not ROLE_ACRONYM.search("общая CRM")
    assert FIELD.search("недели {start}–{finish}") and not FIELD.search("weeks 2–5")
