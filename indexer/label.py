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
N_CANDIDATES = 12
MIN_SHARE = 0.10
LIFT = 3.0
SHARE_POWER = 2  # squared share: coverage of the cluster outweighs rarity elsewhere
GENERIC = frozenset(
    """film films movie movies life lives story stories man men woman women young new world people person
    year years time times day days way thing things one two three four first last find finds get gets
    take takes make makes must becomes become help helps try tries soon begins begin own place back lot
    around along even also will can just only still discover discovers learn learns realize realizes
    decide decides set sets turn turns left leave leaves goes go going comes come meet meets best good
    great old little big true real end named called group known face faces together another forced
    himself herself themselves live living high ever never full part side next set small large long
    boy girl guy guys kid kids child children friend friends family home house town city country
    night dark hard based star stars relationship relationships secret secrets past events event change
    chance head break play series alive human dream black american british south west away single
    coming dead beautiful popular tough saving save hip record stand age mind comedy drama romance
    adventure action thriller horror documentary fantasy hero evil mission money work job local
    death murder love father mother son daughter brother sister husband wife parent parents baby
    boyfriend girlfriend journey truth hope missing class career control search fight killing deadly
    dangerous strange scene crew deal office identity society success courage fear dreams dream trust
    boys girls fall news video married couple history school student students role game games
    problem problems plan plans trip chance lover tears""".split()
)
GENERIC_PHRASES = frozenset(
    {"new york", "new york city", "los angeles", "california", "london england", "dying and death", "mother role",
     "small town", "best friend", "true story", "based on true story", "new love", "love of one life"}
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


def label_distinctiveness(keywords: list[list[str]], groups: list[list[int]], movie_phrases: list[set[str]],
                          min_lift: float = LIFT, top_n: int = TOP_N) -> float:
    """Mean over micro-genres of the share of their keywords at least ``min_lift`` times more
    frequent among the members than in the whole corpus.

    The counterweight to ``label_relevance``: the most frequent words of any cluster are always
    grounded ("love", "new york") but say nothing about it.
    """
    n = len(movie_phrases)
    corpus = Counter(p for ps in movie_phrases for p in ps)
    shares = []
    for kws, members in zip(keywords, groups):
        inside = Counter(p for i in members for p in movie_phrases[i])
        lifted = sum(1 for k in kws[:top_n] if corpus[k] and (inside[k] / len(members)) / (corpus[k] / n) >= min_lift)
        shares.append(lifted / top_n)
    return float(np.mean(shares)) if shares else 0.0


def frequent_keywords(groups: list[list[int]], movie_phrases: list[set[str]], top_n: int = TOP_N) -> list[list[str]]:
    """Baseline labelling: each group's most frequent vocabulary phrases, no contrast, no KeyBERT."""
    return [[p for p, _ in Counter(p for i in g for p in movie_phrases[i]).most_common(top_n)] for g in groups]


def phrases(text: str, vocabulary: frozenset[str], max_n: int = 3) -> set[str]:
    """The 1-3 word phrases of one grounding text that are TMDB theme keywords of the corpus."""
    found: set[str] = set()
    for segment in SEGMENT.split(text.lower()):
        tokens = TOKEN.findall(segment)
        for n in range(1, max_n + 1):
            for i in range(len(tokens) - n + 1):
                gram = " ".join(tokens[i : i + n])
                if gram in vocabulary:
                    found.add(gram)
    return found


def keyword_vocabulary(keyword_lists: list[list[str]], min_movies: int = 2) -> frozenset[str]:
    """Theme keywords (normalized like CountVectorizer tokens) used by >= ``min_movies`` movies,
    minus generic ones and ones starting or ending with a stop word."""
    counts = Counter(" ".join(TOKEN.findall(k.lower())) for kws in keyword_lists for k in set(kws))
    keep = set()
    for phrase, count in counts.items():
        words = phrase.split()
        if count < min_movies or not 1 <= len(words) <= 3:
            continue
        if words[0] in ENGLISH_STOP_WORDS or words[-1] in ENGLISH_STOP_WORDS or any(w.isdigit() for w in words):
            continue
        if phrase in GENERIC_PHRASES or all(w in GENERIC or w in ENGLISH_STOP_WORDS for w in words):
            continue
        keep.add(phrase)
    return frozenset(keep)


def candidates(
    groups: list[list[int]], movie_phrases: list[set[str]], texts: list[str], n_candidates: int = N_CANDIDATES
) -> list[list[str]]:
    """Per group, its best class-based TF-IDF phrases: grounded ones (in >= max(2, 10%) of the
    members) first; a small or diffuse group is topped up with its next most distinctive phrases
    so that KeyBERT always has at least ``TOP_N`` to choose from."""
    df_all = Counter(p for ps in movie_phrases for p in ps)
    avg = len(movie_phrases) / max(len(groups), 1)
    out = []
    for members in groups:
        df = Counter(p for i in members for p in movie_phrases[i])
        floor = max(2, math.ceil(MIN_SHARE * len(members)))
        ranked = [p for _, p in sorted(((c / len(members)) ** SHARE_POWER * math.log(1 + avg / df_all[p]), p) for p, c in df.items())[::-1]]
        member_texts = [texts[i] for i in members]
        frequent = [p for p in ranked if df[p] >= floor][: n_candidates * 2]
        strong = [p for p in frequent if grounded(p, member_texts)]
        chosen = _drop_subsumed(strong)[:n_candidates]
        if len(chosen) < TOP_N:
            extra = [p for p in ranked[: n_candidates * 2] if not any(_contains(p, q) or _contains(q, p) for q in chosen)]
            chosen += _drop_subsumed(extra)[: TOP_N - len(chosen)]
        out.append(chosen)
    return out


def _drop_subsumed(phrases_: list[str]) -> list[str]:
    """One phrase per theme: a phrase inside a better-ranked one is dropped ("apocalypse" after
    "zombie apocalypse"), and a longer phrase takes the place of a better-ranked one it contains
    ("romantic" -> "romantic comedy"), which reads better and is as grounded."""
    kept: list[str] = []
    for p in phrases_:
        if any(_contains(q, p) for q in kept):
            continue
        inner = [i for i, q in enumerate(kept) if _contains(p, q)]
        if inner:
            kept[inner[0]] = p
            kept = [q for i, q in enumerate(kept) if i not in inner[1:]]
        else:
            kept.append(p)
    return kept


def _contains(outer: str, inner: str) -> bool:
    """Is the (lower-case) phrase ``inner`` a whole-word part of ``outer``?"""
    return keyword_pattern(inner).search(outer) is not None


@dataclass
class Labeler:
    """KeyBERT over cached candidate embeddings."""

    kw_model: object
    embed: Callable[[list[str]], np.ndarray]  # cached, normalized

    def name(self, groups: list[list[int]], texts: list[str], movie_phrases: list[set[str]], centroids: np.ndarray,
             min_words: int = 2) -> tuple[list[list[str]], list[str]]:
        """Keywords and a unique display label per group: micro-genres and macro themes alike."""
        docs = [" | ".join(texts[i] for i in g) for g in groups]
        keywords = self.keywords(docs, candidates(groups, movie_phrases, texts), centroids)
        return keywords, self.labels(keywords, centroids, [len(g) for g in groups], min_words)

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
            picked = [k for k, _ in result]
            out.append(picked + [c for c in cs if c not in picked][: TOP_N - len(picked)])
        return out

    def labels(self, keywords: list[list[str]], centroids: np.ndarray, sizes: list[int], min_words: int = 2) -> list[str]:
        """The label option closest in meaning to each group's centroid, unique across groups.

        Macro themes pass ``min_words=1``: a broad theme often reads best as one word ("Espionage").
        """
        options = [label_options(kws, min_words) for kws in keywords]
        unique = sorted({o for opts in options for o in opts})
        vectors = dict(zip(unique, self.embed(unique)))
        scores = [np.stack([vectors[o] for o in opts]) @ c for opts, c in zip(options, centroids)]
        return unique_labels(options, scores, sizes)


MINOR_WORDS = {"and", "of", "the", "in", "on", "vs", "at", "to", "a", "an", "for", "with"}


def title_case(phrase: str) -> str:
    """"sword and sorcery" -> "Sword and Sorcery", "fbi agent" -> "FBI Agent"."""
    words = phrase.split()
    return " ".join(
        w.upper() if w in ACRONYMS else w if (i and w in MINOR_WORDS) else w.capitalize() for i, w in enumerate(words)
    )


def label_options(keywords: list[str], min_words: int = 2, max_words: int = 4, max_joined: int = 3) -> list[str]:
    """Readable label candidates: a keyword alone (``min_words``-4 words), or the best keyword
    followed by another one, 3 words at most and no repeated word ("vampire high school")."""
    options = [k for k in keywords if min_words <= len(k.split()) <= max_words and len(set(k.split())) == len(k.split())]
    for first in keywords[:1]:
        for second in keywords[1:]:
            joined = first.split() + second.split()
            if len(joined) <= max_joined and len(set(joined)) == len(joined):
                options.append(" ".join(joined))
    return options or keywords[:1] or ["miscellany"]


def unique_labels(options: list[list[str]], scores: list[np.ndarray], sizes: list[int]) -> list[str]:
    """Pick each group's best-scoring option not taken yet; bigger groups choose first.

    If every option is taken, the best one gets a number ("Heist Crew 2").
    """
    taken: set[str] = set()
    labels = [""] * len(options)
    for i in sorted(range(len(options)), key=lambda i: -sizes[i]):
        ranked = [title_case(options[i][j]) for j in np.argsort(-scores[i], kind="stable")]
        label = next((o for o in ranked if o.lower() not in taken), None)
        if label is None:
            n = 2
            while f"{ranked[0]} {n}".lower() in taken:
                n += 1
            label = f"{ranked[0]} {n}"
        labels[i] = label
        taken.add(label.lower())
    return labels
