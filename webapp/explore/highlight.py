"""Mark the query's words in a result's overview, in the app, for the page only.

OpenSearch's highlighter runs in the fetch phase, and a ``hybrid`` query fetches its whole
ranked window: highlighting there cost about 9 ms per query, and a second request for the
page's ids a round trip. The cards only need the query's words marked in a ~160-character
fragment, which this does in microseconds. Words match when they share a crude English stem
("sharks" / "shark", "hunted" / "hunting", "zombie" / "zombies", "spy" / "spies"), close to what the english analyzer matches.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape

FRAGMENT = 160
MIN_STEM = 3
WORD = re.compile(r"[A-Za-z0-9À-ÿ']+")
SUFFIXES = ("ingly", "edly", "ing", "ers", "er", "ed", "es", "ly", "'s", "s")
STOPWORDS = frozenset(
    "a an and are as at be but by for from has have he her his in into is it its of on or she so than that the their them "
    "then there these they this to was were which who whom will with you your".split()
)


@lru_cache(maxsize=1 << 16)  # the overviews' vocabulary: stemming each word anew was 1.2 ms per page of 20
def stem(word: str) -> str:
    """A crude English stem: lowercase, one common suffix off, never shorter than MIN_STEM."""
    word = word.lower()
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            word = word[: -len(suffix)]
            break
    word = word[:-1] if word.endswith("e") and len(word) > MIN_STEM else word  # zombie / zombies, love / loved
    return word[:-1] + "i" if word.endswith("y") else word  # spy / spies, comedy / comedies (after "es" went)


def query_stems(q: str) -> frozenset[str]:
    return frozenset(stem(w) for w in WORD.findall(q) if w.lower() not in STOPWORDS and len(w) >= MIN_STEM)


def highlight(text: str | None, stems: frozenset[str]) -> str | None:
    """An HTML-escaped fragment of ``text`` around its first matched word, matches in ``<mark>``; None without one."""
    if not text or not stems:
        return None
    spans = [m.span() for m in WORD.finditer(text) if stem(m.group()) in stems]
    if not spans:
        return None
    start = max(0, spans[0][0] - FRAGMENT // 4)
    if start:
        start = text.find(" ", start) + 1 or start  # begin on a word
    end = min(len(text), start + FRAGMENT)
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > spans[0][1] else end
    out, pos = [], start
    for a, b in spans:
        if a < start or b > end:
            continue
        out += [escape(text[pos:a]), "<mark>", escape(text[a:b]), "</mark>"]
        pos = b
    out.append(escape(text[pos:end]))
    return ("…" if start else "") + "".join(out) + ("…" if end < len(text) else "")
