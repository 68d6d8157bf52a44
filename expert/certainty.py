"""Certainty factors and how several pieces of evidence combine.

Certainties lie in [-1, 1]: positive supports a conclusion, negative speaks
against it. Two pieces of evidence combine as in EMYCIN (Buchanan &
Shortliffe 1984): ``a + b − ab`` when both are positive (the design's rule),
``a + b + ab`` when both are negative, and ``(a + b) / (1 − min(|a|, |b|))``
when they disagree. On the open interval (-1, 1) this function is commutative
and associative (Heckerman 1986 shows it multiplies likelihood ratios), so the
result does not depend on the order in which rules fired. Certainty ±1 is
absolute: a rule that asserts −1 (a measure already in place) wins over any
evidence below 1, and the rule base never lets two absolute certainties of
opposite sign meet (combining them gives 0, for no information).
"""

from __future__ import annotations

from functools import reduce
from typing import Iterable


def combine_pair(a: float, b: float) -> float:
    """Combine two certainties.

    Examples
    --------
    >>> combine_pair(0.6, 0.5)
    0.8
    >>> combine_pair(-0.6, -0.5)
    -0.8
    >>> round(combine_pair(0.8, -0.5), 3)
    0.6
    """
    if a >= 0 and b >= 0:
        return a + b - a * b
    if a < 0 and b < 0:
        return a + b + a * b
    denominator = 1 - min(abs(a), abs(b))
    if denominator == 0:  # total belief against total disbelief: no information
        return 0.0
    return (a + b) / denominator


def combine(values: Iterable[float]) -> float:
    """Combine any number of certainties; 0 when there are none.

    Examples
    --------
    >>> round(combine([0.5, 0.5, 0.5]), 3)
    0.875
    >>> combine([])
    0.0
    """
    return reduce(combine_pair, values, 0.0)


def split(values: Iterable[float]) -> tuple[float, float]:
    """The combined evidence for and the combined evidence against, each in [0, 1].

    Examples
    --------
    >>> split([0.6, -0.3, 0.5])
    (0.8, 0.3)
    """
    values = list(values)
    return (combine(v for v in values if v > 0), -combine(v for v in values if v < 0))
