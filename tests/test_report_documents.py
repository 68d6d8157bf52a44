"""The Markdown and HTML reports: structure, escaping, evidence and sources, language, and a real browser."""

from __future__ import annotations

import dataclasses
import html
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser

import pytest

import cli
import expert
from expert.errors import GraphvizMissingError
from expert.report.html import render_html
from expert.report.markdown import render_markdown
from expert.report.text import render_text

from conftest import EXAMPLES
from consult_script import example, lines_for

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Page(HTMLParser):
    """Parses a page strictly enough: every element closed in order; collects text, ids, links and tags."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.ids: set[str] = set()
        self.text_parts: list[str] = []
        self.in_style = False
        self.feed(text)
        self.close()
        if self.stack:
            self.problems.append(f"unclosed: {self.stack}")

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag not in VOID:
            self.stack.append(tag)
        self.in_style = tag == "style"

    def handle_startendtag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if "id" in attrs:
            self.ids.add(attrs["id"])

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        self.in_style = False

    def handle_data(self, data):
        if not self.in_style:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())


def normal(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def diagnoses(system):
    return {p.stem: expert.diagnose(example(system, p), system) for p in EXAMPLE_FILES}


class TestHtml:
    @pytest.mark.parametrize("name", [p.stem for p in EXAMPLE_FILES])
    def test_the_report_parses_and_shows_graph_level_causes_every_measure_and_the_answers(self, diagnoses, name):
        d = diagnoses[name]
        page = Page(render_html(d, "en"))
        assert not page.problems, page.problems[:5]
        assert any(tag == "svg" for tag, _ in page.tags), "no inline SVG plan graph"
        kb = d.kb
        assert normal(kb.levels[d.level.id].description["en"]) in page.text
        for step, ident in enumerate(d.plan.order, 1):
            assert normal(d.measure_name(ident, "en")) in page.text, ident
            assert f"step-{step}" in page.ids  # each measure has its detail block, found by its step number
        for ident, _ in d.causes:
            assert normal(kb.causes[ident].name["en"]) in page.text, ident
        for qid in d.inference.answers:
            assert normal(kb.questions[qid].text["en"]) in page.text, qid
        assert page.text.count("★ critical path") == 2 * len(d.plan.critical_path)  # in the table and the details

    def test_the_page_is_self_contained(self, diagnoses):
        text = render_html(diagnoses["defined-manufacturer"], "en")
        page = Page(text)
        assert not any(tag in ("script", "link", "img", "iframe", "object") for tag, _ in page.tags)
        for tag, attrs in page.tags:
            for name in ("src", "href", "xlink:href"):
                value = attrs.get(name)
                assert value is None or value.startswith("#"), (tag, name, value)
        assert "url(" not in text and "@import" not in text and "@font-face" not in text

    def test_the_organisation_name_is_shown_as_text_never_as_markup(self, system):
        name = "<script>alert('x')</script> & <b>Co</b>"
        d = expert.diagnose(expert.AnswerSheet(name, "executive", {"marketing_department": "separate",
                                                                  "joint_meetings": "never"}), system)
        text = render_html(d, "en")
        page = Page(text)
        assert not page.problems
        assert not any(tag == "script" for tag, _ in page.tags)
        assert "<b>Co" not in text and name in page.text
        assert "&lt;script&gt;" in text
        md = render_markdown(d, "en")
        before, fence, after = md.partition("```mermaid")
        outside = before + after.partition("```")[2]  # a code block shows text as it is
        assert fence and "<script" not in outside and "<b>" not in outside and "&lt;script&gt;" in outside

    def test_causes_and_measures_link_to_their_evidence_and_the_evidence_to_its_source(self, diagnoses):
        d = diagnoses["undefined-distributor"]
        kb = d.kb
        page = Page(render_html(d, "en"))
        links = {attrs["href"][1:] for tag, attrs in page.tags if tag == "a" and attrs.get("href", "").startswith("#")}
        assert links <= page.ids, links - page.ids
        named = [c.id for c in d.inference.causes if c.named]  # the others are listed by name only
        cited = [f for c in named for f in kb.causes[c].evidence] + \
                [f for m in d.plan.order for f in kb.measures[m].evidence]
        assert cited
        facts = [e for e in page.ids if e.startswith("fact-")]
        assert len(facts) >= len(set(cited)) and set(facts) <= links  # numbered in order of first citation
        for fact in cited:
            assert normal(kb.evidence[fact].summary["en"]) in page.text
            if kb.evidence[fact].source:
                assert normal(kb.sources[kb.evidence[fact].source].title["en"]) in page.text
        assert {e for e in page.ids if e.startswith("source-")} >= {x for x in links if x.startswith("source-")}

    def test_the_sources_section_lists_the_literature_behind_the_rules_that_fired(self, diagnoses):
        d = diagnoses["aligned-software"]
        kb = d.kb
        page = Page(render_html(d, "en"))
        sources = page.text.split("Sources", 1)[-1]
        fired = {s for f in d.trace for s in d.system.rules.rules[f.rule].sources if s in kb.sources}
        assert fired
        for ident in fired:
            source = kb.sources[ident]
            # literature as its reference; a source document of the knowledge base by its title, never its
            # catalogue note (issue 13: "year not given", a Chinese citation that prints as boxes)
            shown = source.title["en"] if source.kind == "seed" else source.citation
            assert normal(shown) in sources, ident
            if source.kind == "seed":
                assert normal(source.citation) not in page.text

    def test_the_summary_comes_first_then_the_plan_then_the_appendices(self, diagnoses):
        page = Page(render_html(diagnoses["defined-manufacturer"], "en"))
        sections = [attrs["id"] for tag, attrs in page.tags if tag == "section"]
        assert sections[:3] == ["summary", "plan", "graph"]
        assert sections[3:] == ["measures", "level", "causes", "evidence", "answers", "sources", "glossary"]
        text = page.text
        assert text.index("Summary") < text.index("First steps") < text.index("Appendix A")
        assert "Appendix G Glossary" in text

    def test_without_graphviz_the_page_says_what_is_missing(self, diagnoses, monkeypatch):
        import expert.report.html as report_html

        def missing(d, lang):
            raise GraphvizMissingError("svg")

        monkeypatch.setattr(report_html, "_draw", missing)
        page = Page(report_html.render_html(diagnoses["integrated-fmcg"], "en"))
        assert not any(tag == "svg" for tag, _ in page.tags)
        assert "apt-get install graphviz" in page.text


class TestMarkdown:
    @pytest.mark.parametrize("name", [p.stem for p in EXAMPLE_FILES])
    def test_headings_tables_mermaid_and_sources(self, diagnoses, name):
        d = diagnoses[name]
        text = render_markdown(d, "en")
        headings = [line for line in text.splitlines() if line.startswith("## ")]
        titles = ["Summary", "Plan of measures", "The measures in detail", "How the level was determined",
                  "Root causes", "Evidence behind the causes and measures", "The answers this diagnosis is based on",
                  "Sources", "Glossary"]
        shown = [h[3:].split(". ", 1)[-1] for h in headings]  # "## Appendix A. The measures in detail"
        assert [h for h in shown if h in titles] == [h for h in titles if h in shown]  # in this order
        assert {"Summary", "Plan of measures", "Glossary"} <= set(shown)
        assert "```mermaid\nflowchart LR" in text
        plain = html.unescape(text.replace("\\", ""))
        for ident in d.plan.order:
            assert d.measure_name(ident, "en") in plain
        for n in range(1, text.count('<a id="evidence-') + 1):
            assert f"](#evidence-{n})" in text
        lines = text.splitlines()
        for i, line in enumerate(lines):  # a heading always follows a blank line
            if line.startswith("#") and i and not lines[i - 1].startswith("```") and "mermaid" not in lines[i - 1]:
                assert lines[i - 1] == "" or lines[i - 1].startswith("  "), line


class TestCommandLine:
    @pytest.mark.parametrize("suffix, start", [(".html", "<!DOCTYPE html>"), (".md", "# Uralpack"),
                                               (".txt", "Accord diagnosis — Uralpack"), (".json", "{")])
    def test_the_format_follows_the_output_extension(self, runner, tmp_path, suffix, start):
        out = tmp_path / f"report{suffix}"
        result = runner.invoke(cli.main, ["diagnose", "--answers", str(EXAMPLES / "defined-manufacturer.yaml"),
                                          "-o", str(out)])
        assert result.exit_code == 0, result.stderr
        assert out.read_text(encoding="utf-8").startswith(start)

    @pytest.mark.parametrize("lang", ["en", "ru"])
    @pytest.mark.parametrize("name", [p.stem for p in EXAMPLE_FILES])
    def test_the_text_report_fits_80_columns(self, diagnoses, name, lang):
        assert max(len(line) for line in render_text(diagnoses[name], lang).splitlines()) <= 80


# ------------------------------------------------------------------ Russian

def english_texts(system) -> set[str]:
    """The English side of every KB text, rule summary and message that differs from its Russian side."""
    def texts(obj):
        if isinstance(obj, (str, int, float, bool, type(None))):
            return
        if hasattr(obj, "keys") and set(obj.keys()) == {"en", "ru"}:
            yield obj
        elif dataclasses.is_dataclass(obj):
            for f in dataclasses.fields(obj):
                yield from texts(getattr(obj, f.name))
        elif isinstance(obj, (tuple, list)):
            for item in obj:
                yield from texts(item)
        elif hasattr(obj, "values"):
            for item in obj.values():
                yield from texts(item)

    kb = system.kb
    found = set()
    for table in (kb.levels, kb.signs, kb.transitions, kb.symptoms, kb.causes, kb.context, kb.measures, kb.owners,
                  kb.evidence, kb.sources, kb.questions, kb.sections, kb.messages, system.rules.rules):
        for text in texts(table):
            if isinstance(text["en"], str) and normal(text["en"]) != normal(text["ru"]) and len(text["en"]) >= 8:
                found.add(normal(text["en"]))
    return found


def test_a_russian_consultation_gives_a_russian_report(runner, system, tmp_path):
    sheet = example(system, EXAMPLES / "undefined-distributor.yaml")
    lines = lines_for(system, sheet)
    reports = {}
    for suffix in ("html", "md", "txt"):
        session = tmp_path / f"session-{suffix}.yaml"
        result = runner.invoke(cli.main, ["diagnose", "--lang", "ru", "--save", str(session),
                                          "-o", str(tmp_path / f"report.{suffix}")],
                               input="".join(f"{line}\n" for line in lines))
        assert result.exit_code == 0, result.stderr
        assert re.search(r"Готово: задано? \d+ вопрос", result.stderr), result.stderr  # agrees with its number
        reports[suffix] = (tmp_path / f"report.{suffix}").read_text(encoding="utf-8")
    page = Page(reports["html"])
    bodies = {"html": page.text, "md": normal(html.unescape(reports["md"].replace("\\", ""))),
              "txt": normal(reports["txt"])}
    assert 'lang="ru"' in reports["html"] and "Текущий уровень интеграции" in bodies["html"]
    english = english_texts(system)
    for kind, body in bodies.items():
        for source in system.kb.sources.values():  # a citation stays in the language it was published in
            body = body.replace(normal(source.citation), "")
        leaked = sorted(text for text in english if text in body)
        assert not leaked, f"{kind}: {leaked[:5]}"


# ------------------------------------------------------------------ browser

def png_summary(data: bytes) -> tuple[int, int, int]:
    """(width, height, distinct pixel rows) of a PNG, checking its structure on the way."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks, idat = 8, {}, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc, = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        chunks.setdefault(kind, body)
        if kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    channels = {2: 3, 6: 4, 0: 1, 4: 2}[colour]
    raw = zlib.decompress(idat)
    stride = 1 + width * channels * depth // 8
    assert len(raw) == stride * height
    rows = {raw[i * stride:(i + 1) * stride] for i in range(height)}
    return width, height, len(rows)


@pytest.mark.slow
def test_the_report_renders_in_headless_chromium(system, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("headless Chromium is not installed (Debian/Ubuntu: apt-get install chromium; .ci/run does it)")
    d = expert.diagnose(example(system, EXAMPLES / "defined-manufacturer.yaml"), system)
    page = tmp_path / "report.html"
    page.write_text(render_html(d, "en"), encoding="utf-8")
    shot = tmp_path / "report.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--no-first-run", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1280,2000",
                    "--hide-scrollbars", page.as_uri()], capture_output=True, timeout=120, check=True)
    width, height, distinct_rows = png_summary(shot.read_bytes())
    assert (width, height) == (1280, 2000)
    assert distinct_rows > 200, "the screenshot is (almost) blank"


# ---------------------------------------------------------------------- PDF

def _weasyprint_or_skip():
    from expert.errors import PdfUnavailableError
    from expert.report.pdf import _weasyprint

    try:
        _weasyprint()
    except PdfUnavailableError as exc:
        pytest.skip(f"PDF: {exc}")


A4_PORTRAIT = (595, 842)  # points, rounded


def _graph_scale(svg: str, box_width: float, box_height: float) -> float:
    """How much the printed graph is shrunk: its viewBox (in points) fitted into the box it is printed in."""
    import re

    width, height = (float(v) for v in re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+) ([\d.]+)"', svg).groups())
    return min(box_width / width, box_height / height)


class TestPdf:
    @pytest.mark.parametrize("lang", ["en", "ru"])
    @pytest.mark.parametrize("name", [p.stem for p in EXAMPLE_FILES])
    def test_a4_summary_first_graph_on_a_landscape_page_at_most_8_pages_before_the_appendices(
            self, diagnoses, name, lang):
        _weasyprint_or_skip()
        from expert.report.pdf import pdf_document

        d = diagnoses[name]
        pages = pdf_document(d, lang).pages
        sizes = [(round(p.width * 0.75), round(p.height * 0.75)) for p in pages]  # CSS px → points
        first = {}
        for number, page in enumerate(pages, 1):
            for anchor in page.anchors:
                first.setdefault(anchor, number)
        assert first["summary"] == 1 and sizes[0] == A4_PORTRAIT
        assert first["appendices"] - 1 <= 8, f"{first['appendices'] - 1} pages before the appendices"
        if d.plan.order:
            graph_pages = [n for n, page in enumerate(pages, 1) if "graph" in page.anchors]
            assert graph_pages == [first["graph"]], "the plan graph spills over a page"
            assert sizes[first["graph"] - 1] == A4_PORTRAIT[::-1]  # landscape
            # legible: the drawing's 13 pt labels print at 6 pt or more (277 × 160 mm box)
            from expert.report.html import _draw

            assert 13 * _graph_scale(_draw(d, lang), 277 / 25.4 * 72, 160 / 25.4 * 72) >= 6
        assert all(size == A4_PORTRAIT for n, size in enumerate(sizes, 1) if n != first.get("graph"))

    def test_the_same_answers_give_the_same_bytes_and_pages_render_to_png(self, runner, tmp_path):
        _weasyprint_or_skip()
        outs = []
        for n in (1, 2):
            out = tmp_path / f"report{n}.pdf"
            result = runner.invoke(cli.main, ["diagnose", "--answers", str(EXAMPLES / "defined-manufacturer.yaml"),
                                              "-o", str(out), "--lang", "ru"])
            assert result.exit_code == 0, result.stderr
            outs.append(out.read_bytes())
        assert outs[0].startswith(b"%PDF-") and outs[0] == outs[1]
        pdftoppm = shutil.which("pdftoppm")
        if pdftoppm is None:
            pytest.skip("pdftoppm is not installed (Debian/Ubuntu: apt-get install poppler-utils; .ci/run does it)")
        subprocess.run([pdftoppm, "-r", "40", "-f", "1", "-l", "4", "-png", str(tmp_path / "report1.pdf"),
                        str(tmp_path / "page")], check=True, capture_output=True, timeout=120)
        shots = sorted(tmp_path.glob("page*.png"))
        assert len(shots) == 4
        for shot in shots:
            assert png_summary(shot.read_bytes())[2] > 40, f"{shot.name} is (almost) blank"

    def test_pdf_needs_a_file(self, runner):
        result = runner.invoke(cli.main, ["diagnose", "--answers", str(EXAMPLES / "defined-manufacturer.yaml"),
                                          "--format", "pdf"])
        assert result.exit_code == 2 and "-o FILE" in result.stderr and "Traceback" not in result.stderr

    def test_without_weasyprint_one_line_says_what_to_install(self, runner, tmp_path, monkeypatch):
        import expert.report.pdf as report_pdf
        from expert.errors import PdfUnavailableError

        def missing():
            raise PdfUnavailableError("the Python package WeasyPrint is not installed")

        monkeypatch.setattr(report_pdf, "_weasyprint", missing)
        out = tmp_path / "report.pdf"
        result = runner.invoke(cli.main, ["diagnose", "--answers", str(EXAMPLES / "defined-manufacturer.yaml"),
                                          "-o", str(out)])
        assert result.exit_code == 2 and not out.exists()
        assert len(result.stderr.strip().splitlines()) == 1 and "accord[pdf]" in result.stderr
