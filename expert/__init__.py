"""Accord: an expert system for the relationship between sales and marketing.

The library reads a manager's answers, runs a forward-chaining rule base over
them (on CLIPS where clipspy is installed, else on experta, the reference
engine) and returns a diagnosis: the integration level with its evidence, the
root causes, the level worth aiming for and a sequenced plan of measures. It never prints, prompts or exits; ``cli.py`` does that.
"""

from .answers import AnswerSheet, next_question, read_answers, relevance, write_answers
from .consultation import Consultation
from .diagnosis import Diagnosis, ExpertSystem, diagnose, load_expert
from .errors import (AccordError, EngineError, ExitCode, GraphvizMissingError, InputError, KnowledgeBaseError,
                     PdfUnavailableError, PrerequisiteCycleError, UnknownIdError)
from .explain import explain_how
from .knowledge import KnowledgeBase, load_knowledge_base
from .plan import Plan, build_plan
from .respondents import diagnose_organisation
from .rules import RuleSet, load_rules
from .selection import Decision, Selector, Verdict, selector_for
from .explain.whatif import explain_why
from .explain.whynot import explain_why_not

__all__ = [
    "AccordError",
    "AnswerSheet",
    "Consultation",
    "Decision",
    "Diagnosis",
    "EngineError",
    "ExitCode",
    "ExpertSystem",
    "GraphvizMissingError",
    "InputError",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "PdfUnavailableError",
    "Plan",
    "PrerequisiteCycleError",
    "RuleSet",
    "Selector",
    "UnknownIdError",
    "Verdict",
    "build_plan",
    "diagnose",
    "diagnose_organisation",
    "explain_how",
    "explain_why",
    "explain_why_not",
    "load_expert",
    "load_knowledge_base",
    "load_rules",
    "next_question",
    "read_answers",
    "relevance",
    "selector_for",
    "write_answers",
]
