"""Franchises: the films of one series, found by title and neighbourhood (issue 21).

Why: a fan files a series on one shelf, but each film's shelf is chosen from its own keywords,
so Men in Black sat under "Buddy and Action Comedies", Men in Black II under "Space Sci-Fi and
Alien Worlds" and Men in Black 3 under "Dystopian and Future Sci-Fi"; Taken 1-3 and The
Expendables 1-3 each on three shelves: 71 of TMDB 5000's 182 shared title bases spanned shelves.

A series is films whose titles share a base (``franchise_key``: before a subtitle, without a
leading article or a sequel number: "Men in Black 3", "Taken 2", "Jaws: The Revenge") *and*
that are linked as nearest films (``indexer.features.neighbours``): "Frozen" and "The Frozen", or
"Super" and "Super 8", share a base but not a neighbourhood. Its anchor is the film with the
shortest title, usually the first of the series ("Men in Black").
"""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

_SUBTITLE = re.compile(r"\s*(?::|\s[-–]\s).*$")
_ARTICLE = re.compile(r"^(?:the|a|an)\s+")
# A sequel's number: 2-9 or II-X, optionally "Part" ("Apollo 13" and "Apollo 18" are no series).
_SEQUEL = re.compile(r"\s+(?:part\s+)?(?:[2-9]|ii|iii|iv|v|vi|vii|viii|ix|x)$")
_PUNCTUATION = re.compile(r"[^\w\s]")


def franchise_key(title: str) -> str:
    """The base a series' titles share: "Men in Black II" -> "men in black", "Jaws: The Revenge"
    -> "jaws", "The Expendables 3" -> "expendables"."""
    base = _ARTICLE.sub("", _SUBTITLE.sub("", title.lower()))
    return _PUNCTUATION.sub("", _SEQUEL.sub("", base)).strip()


def franchises(titles: list[str], near: np.ndarray) -> list[list[int]]:
    """The series of two or more films, each anchor (shortest title) first: films of one
    ``franchise_key`` joined where one is among the other's nearest films (``near``: each film's
    nearest films, itself included)."""
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, title in enumerate(titles):
        if key := franchise_key(title):
            by_key[key].append(i)
    rows, cols = [], []
    for films in by_key.values():
        members = set(films)
        for i in films if len(films) > 1 else ():
            linked = [int(j) for j in near[i] if j != i and j in members]
            rows += [i] * len(linked)
            cols += linked
    n = len(titles)
    component = connected_components(coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)), directed=False)[1]
    series: dict[int, list[int]] = defaultdict(list)
    for i in sorted(set(rows)):
        series[int(component[i])].append(i)
    return [sorted(films, key=lambda i: (len(titles[i]), i)) for films in series.values() if len(films) > 1]
