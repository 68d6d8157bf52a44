"""Interface texts in the user's language, looked up in knowledge/messages.yaml."""

from __future__ import annotations

from .knowledge import KnowledgeBase
from .plurals import PLURAL, choose

LANGUAGES = ("en", "ru")


class Messages:
    """``t("report.level", level="Defined")`` → the formatted text in one language.

    Examples
    --------
    >>> from expert import load_knowledge_base
    >>> t = Messages(load_knowledge_base(), "ru")
    >>> t("phase.diagnostic")
    'Диагностика'
    """

    def __init__(self, kb: KnowledgeBase, lang: str):
        if lang not in LANGUAGES:
            raise ValueError(f"unsupported language '{lang}'")
        self.kb = kb
        self.lang = lang

    def __call__(self, key: str, **values) -> str:
        """The text of ``key`` with ``values`` filled in; plurals take the form their number needs."""
        text = self.kb.messages[key][self.lang]
        if PLURAL.search(text):
            text = choose(text, self.lang, **values)
        return text.format(**values) if values else text

    def name(self, ident: str) -> str:
        """The name of any knowledge-base entry (or the title of an evidence item)."""
        entry = self.kb.entry(ident)
        if entry is None:
            return ident
        for attribute in ("name", "title", "text"):
            value = getattr(entry, attribute, None)
            if value:
                return value[self.lang]
        return ident
