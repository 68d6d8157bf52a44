"""Plain words for what a manager reads: certainties, strength of evidence, numbers, terms.

A report never shows a raw score (``+0.41``, ``1:-0.85``) or an id. A
certainty reads as a word with its number beside it ("very likely, 0.91";
Russian writes the decimal comma: «весьма вероятно, 0,91»); a piece of
evidence reads as a sentence with a word for its weight; the terms a reader
may not know are listed in a glossary, in the order the report uses them.
"""

from __future__ import annotations

from ..i18n import Messages

# Certainty bands, highest first: the word a certainty of at least this much reads as.
CERTAINTY_BANDS = ((0.95, "almost_certain"), (0.8, "very_likely"), (0.6, "likely"), (0.4, "possible"),
                   (0.0, "doubtful"))
# How much one piece of evidence weighs, by its absolute certainty.
WEIGHT_BANDS = ((0.5, "strong"), (0.3, "moderate"), (0.0, "weak"))
# The glossary, in the order a reader meets the terms.
GLOSSARY = ("level", "undefined", "defined", "aligned", "integrated", "certainty", "root_cause", "measure",
            "phase", "critical_path", "prerequisite", "chief_executive", "marketing_director", "head_of_sales",
            "revenue_officer", "crm", "kpi", "lead", "b2b")


def decimal(value: float, lang: str, places: int = 2) -> str:
    """A number as the language writes it: ``0.91`` in English, ``0,91`` in Russian.

    Examples
    --------
    >>> decimal(0.905, "en"), decimal(0.9, "ru")
    ('0.91', '0,90')
    """
    text = f"{abs(value) + 1e-9:.{places}f}"
    return text.replace(".", ",") if lang == "ru" else text


def certainty_band(value: float) -> str:
    """The band a certainty falls in: ``almost_certain`` … ``doubtful``.

    Examples
    --------
    >>> certainty_band(0.91), certainty_band(0.4), certainty_band(0.1)
    ('very_likely', 'possible', 'doubtful')
    """
    value = round(abs(value), 2)  # the band of the number shown beside the word
    return next(band for floor, band in CERTAINTY_BANDS if value >= floor - 1e-9)


def certainty_words(value: float, t: Messages) -> str:
    """A certainty as a word with the number beside it: "very likely, 0.91"."""
    return t("words.certainty", word=t(f"words.certainty.{certainty_band(value)}"), number=decimal(value, t.lang))


def weight_band(value: float) -> str:
    """How much one piece of evidence weighs: ``strong``, ``moderate`` or ``weak``.

    Examples
    --------
    >>> weight_band(0.41), weight_band(-0.85), weight_band(0.12)
    ('moderate', 'strong', 'weak')
    """
    value = round(abs(value), 2)
    return next(band for floor, band in WEIGHT_BANDS if value >= floor - 1e-9)


def weight_words(value: float, t: Messages) -> str:
    """A piece of evidence's weight in words: "strong", «весомый»."""
    return t(f"words.weight.{weight_band(value)}")


def glossary(t: Messages) -> list[dict]:
    """The glossary: every term with its explanation, in the reader's language."""
    return [{"term": t(f"glossary.{key}.term"), "text": t(f"glossary.{key}.text")} for key in GLOSSARY]
