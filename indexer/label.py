"""Name micro-genres: distinctive candidates (class-based TF-IDF), KeyBERT MMR, readable labels.

Why candidates are restricted before KeyBERT sees them: a naive pass over each cluster's text
picks character names, verbs and bookkeeping keywords (39% grounded, see
shared/notes/embeddings-on-cpu.md). Here a candidate must
- be a 1-3 word phrase built only from words that occur somewhere in the corpus's TMDB theme
  keywords (a curated, mostly-noun vocabulary: this drops character names such as "Parrish"
  and plot verbs such as "agrees"), not start or end with a stop word, and not be generic
  ("film", "life", "story", "man", "young", "new");
- occur in at least max(2, 10%) of the cluster's movies (overview, tagline or theme keywords);
- rank high by class-based TF-IDF: share of the cluster's movies containing it times
  log(1 + average cluster size / number of movies containing it anywhere).
KeyBERT then picks 5 diverse ones (MMR, diversity 0.7) by similarity to the cluster centroid;
candidate embeddings come from the shared embedding cache, each phrase encoded once.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

TOKEN = re.compile(r"\b\w\w+\b")  # CountVectorizer's default, so KeyBERT finds every candidate
SEGMENT = re.compile(r"[^\w\s'’-]+")  # phrases never span punctuation or fields
TOP_N = 5
DIVERSITY = 0.7
N_CANDIDATES = 20
MIN_SHARE = 0.10
GENERIC = frozenset(
    """film films movie movies life lives story stories man men woman women young new world people person
    year years time times day days way thing things one two three four first last find finds get gets
    take takes make makes must becomes become help helps try tries soon begins begin own place back lot
    around along even also will can just only still discover discovers learn learns realize realizes
    decide decides set sets turn turns left leave leaves goes go going comes come meet meets best good
    great old little big true real end named called group known face faces together another forced
    himself herself themselves live living high ever never full part side next set small large long
    boy girl guy guys kid kids child children friend friends family home house town city country
    night dark hard life's based star stars love loves""".split()
)
ACRONYMS = {"fbi", "cia", "usa", "nyc", "ai", "ii", "iii", "kgb", "nasa", "dea", "nsa", "mi6", "uk", "un", "lsd", "ufo", "cgi", "wwii", "la", "tv", "dj", "ww2"}


def keyword_pattern(keyword: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + re.escape(keyword.lower()) + r"(?!\w)")


def grounded(keyword: str, texts: list[str], min_share: float = MIN_SHARE) -> bool:
    """Does ``keyword`` occur (case-insensitive, whole words) in >= ``min_share`` of ``texts``?"""
    if not texts:
        return False
    pattern = keyword_pattern(keyword)
    hits = sum(1 for t in texts if pattern.search(t.lower()))
    return hits >= min_share * len(texts)


def label_relevance(keywords: list[list[str]], texts: list[list[str]], top_n: int = TOP_N) -> float:
    """Mean over micro-genres of the share of their ``top_n`` keywords that are grounded.

    ``texts[i]`` are the grounding texts (overview | tagline | theme keywords) of micro-genre
    i's members. A micro-genre with fewer than ``top_n`` keywords counts the missing ones as
    not grounded.
    """
    if not keywords:
        return 0.0
    shares = [sum(grounded(k, t) for k in kws[:top_n]) / top_n for kws, t in zip(keywords, texts)]
    return float(np.mean(shares))


def phrases(text: str, vocabulary: frozenset[str], max_n: int = 3) -> set[str]:
    """Candidate 1-3 word phrases of one grounding text (see module docstring for the rules)."""
    found: set[str] = set()
    for segment in SEGMENT.split(text.lower()):
        tokens = TOKEN.findall(segment)
        for n in range(1, max_n + 1):
            for i in range(len(tokens) - n + 1):
                gram = tokens[i : i + n]
                if gram[0] in ENGLISH_STOP_WORDS or gram[-1] in ENGLISH_STOP_WORDS:
                    continue
                content = [t for t in gram if t not in ENGLISH_STOP_WORDS]
                if all(t in GENERIC for t in content) or not all(t in vocabulary for t in content):
                    continue
                if any(t.isdigit() for t in content):
                    continue
                found.add(" ".join(gram))
    return found


def keyword_vocabulary(keyword_lists: list[list[str]]) -> frozenset[str]:
    """Every word used in any theme keyword of the corpus."""
    return frozenset(w for kws in keyword_lists for k in kws for w in TOKEN.findall(k.lower()))


def candidates(
    groups: list[list[int]], movie_phrases: list[set[str]], texts: list[str], n_candidates: int = N_CANDIDATES
) -> list[list[str]]:
    """Per group, the best class-based TF-IDF phrases that are grounded in the group."""
    df_all = Counter(p for ps in movie_phrases for p in ps)
    avg = len(movie_phrases) / max(len(groups), 1)
    out = []
    for members in groups:
        df = Counter(p for i in members for p in movie_phrases[i])
        floor = max(2, math.ceil(MIN_SHARE * len(members)))
        scored = sorted(
            ((c / len(members)) * math.log(1 + avg / df_all[p]), p) for p, c in df.items() if c >= floor
        )[::-1]
        member_texts = [texts[i] for i in members]
        chosen = [p for _, p in scored[: n_candidates * 2] if grounded(p, member_texts)][:n_candidates]
        if len(chosen) < TOP_N:  # tiny or diffuse group: fall back to its most distinctive phrases
            extra = sorted(((c / len(members)) * math.log(1 + avg / df_all[p]), p) for p, c in df.items())[::-1]
            chosen += [p for _, p in extra if p not in chosen][: TOP_N - len(chosen)]
        out.append(_drop_subsumed(chosen))
    return out


def _drop_subsumed(phrases_: list[str]) -> list[str]:
    """Drop a phrase when a longer kept phrase contains it and is nearly as frequent (ranked above)."""
    kept: list[str] = []
    for p in phrases_:
        if any(re.search(r"(?<!\w)" + re.escape(p) + r"(?!\w)", q) for q in kept):
            continue
        kept.append(p)
    return kept


@dataclass
class Labeler:
    """KeyBERT over cached candidate embeddings."""

    kw_model: object
    embed: Callable[[list[str]], np.ndarray]  # cached, normalized

    def keywords(self, docs: list[str], cands: list[list[str]], centroids: np.ndarray) -> list[list[str]]:
        unique = sorted({p for cs in cands for p in cs})
        vectors = dict(zip(unique, self.embed(unique))) if unique else {}
        out = []
        for doc, cs, centroid in zip(docs, cands, centroids):
            if not cs:
                out.append([])
                continue
            result = self.kw_model.extract_keywords(
                doc,
                candidates=cs,
                keyphrase_ngram_range=(1, 3),
                stop_words=None,
                use_mmr=True,
                diversity=DIVERSITY,
                top_n=TOP_N,
                doc_embeddings=centroid.reshape(1, -1),
                word_embeddings=np.stack([vectors[p] for p in cs]),
            )
            out.append([k for k, _ in result])
        return out


def title_case(phrase: str) -> str:
    return " ".join(w.upper() if w in ACRONYMS else w.capitalize() for w in phrase.split())


def label_options(keywords: list[str], max_words: int = 4) -> list[str]:
    """Label candidates, best first: each keyword alone if it has 2-4 words, then joined with a
    later keyword that shares no word with it ("vampire" + "high school")."""
    options = []
    for i, first in enumerate(keywords):
        words = first.split()
        if 2 <= len(words) <= max_words:
            options.append(first)
        for second in keywords[i + 1 :]:
            more = second.split()
            if len(words) + len(more) <= max_words and not set(words) & set(more):
                options.append(f"{first} {second}")
    return options or keywords[:1]


def compose_label(keywords: list[str], taken: set[str]) -> str:
    """The first readable option not already ``taken`` (lower-cased labels), Title Case."""
    options = [title_case(o) for o in label_options(keywords)] or ["Miscellany"]
    for label in options:
        if label.lower() not in taken:
            return label
    n = 2
    while f"{options[0]} {n}".lower() in taken:
        n += 1
    return f"{options[0]} {n}"


def labels_for(keyword_lists: list[list[str]], sizes: list[int]) -> list[str]:
    """Unique labels; bigger groups choose first so they get their best option."""
    taken: set[str] = set()
    labels = [""] * len(keyword_lists)
    for i in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        labels[i] = compose_label(keyword_lists[i], taken)
        taken.add(labels[i].lower())
    return labels
