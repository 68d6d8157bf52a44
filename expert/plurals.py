"""Plural forms in interface texts: ``{count|answer|answers}``, ``{count|ответ|ответа|ответов}``.

A message may write a noun that depends on a number as the number's name
followed by the forms, separated by ``|``. English has two forms (one,
other); Russian three (one: 1, 21, 101; few: 2–4, 22–24; many: 0, 5–20,
25–30, 11–14), and a fraction takes the "few" form (2,5 недели). The loader
checks that every plural has the right number of forms for its language.

Examples
--------
>>> choose("{n} {n|answer|answers} saved", "en", n=1)
'{n} answer saved'
>>> [choose("{n|ответ|ответа|ответов}", "ru", n=n) for n in (1, 3, 5, 11, 21, 22, 112)]
['ответ', 'ответа', 'ответов', 'ответов', 'ответ', 'ответа', 'ответов']
"""

from __future__ import annotations

import re
from typing import Any, Mapping

PLURAL = re.compile(r"\{(\w+)\|([^{}]*)\}")
FORMS = {"en": 2, "ru": 3}


def form(number: Any, lang: str) -> int:
    """Which form (0-based) a number takes in a language."""
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        return FORMS[lang] - 1
    if isinstance(number, float) and not number.is_integer():
        return 1  # en: 2.5 weeks; ru: 2,5 недели
    n = abs(int(number))
    if lang == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return 0
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return 1
        return 2
    return 0 if n == 1 else 1


def choose(text: str, lang: str, **values: Any) -> str:
    """``text`` with every plural replaced by the form its number takes (other fields are left)."""
    return PLURAL.sub(lambda m: m.group(2).split("|")[form(values[m.group(1)], lang)], text)


def plural_problem(text: Mapping[str, str]) -> str | None:
    """Why the plurals of a message are wrong (a language with the wrong number of forms), or None."""
    for lang, count in FORMS.items():
        for match in PLURAL.finditer(text.get(lang) or ""):
            forms = match.group(2).split("|")
            if len(forms) != count:
                return (f"the plural '{match.group(0)}' has {len(forms)} forms; {lang} needs {count} "
                        f"({'one|other' if lang == 'en' else 'one|few|many: ответ|ответа|ответов'})")
    return None
