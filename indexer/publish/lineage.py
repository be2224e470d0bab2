"""Give a run's micro-genres and macro themes the persistent ids of ``indexer.taxonomy.identity``.

The previous generation is read from the live aliases (micro-genre centroids, films'
``micro_genre_id``/``macro_genre_id``); the id registry (``settings.ids_index``, one document
per id ever handed out: ``micro-42``, ``macro-7``) holds each id's label phrases, its status and,
once retired, its successor. The registry is written only after the alias swap succeeded, so a
failed run leaves no trace there. It lives in OpenSearch (not a local file) so that any machine
pointing at the cluster, the web app included, resolves old ids the same way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from opensearchpy import OpenSearch, helpers

from indexer.features.vectors import normalize
from indexer.publish.documents import MicroGenre
from indexer.publish.store import alias_targets, ensure_index, mapping
from indexer.taxonomy import identity, quality
from indexer.taxonomy.compose import Corpus, TaxonomyResult
from indexer.taxonomy.label import GENRE_HEADS, is_generic

KINDS = ("micro", "macro")


@dataclass
class Previous:
    """What the live aliases say about the last run, per kind."""

    generations: dict[str, identity.Generation]
    labels: dict[str, dict[int, str]]
    phrases: dict[str, dict[int, list[str]]]
    max_used: dict[str, int]


@dataclass
class Lineage:
    """This run's id decisions, written to the registry once the run is live."""

    matchings: dict[str, identity.Matching]
    live: dict[str, dict[int, tuple[str, list[str]]]]  # kind -> id -> (label, phrases)
    previous_labels: dict[str, dict[int, str]]
    macro_labels: list[str] = field(default_factory=list)  # per macro theme of this run

    def macro(self, theme: int) -> tuple[int, str]:
        """The persistent id and label of this run's macro theme number ``theme``."""
        return self.matchings["macro"].ids[theme], self.macro_labels[theme]

    def summary(self) -> dict:
        return {
            kind: {"kept": len(m.kept), "new": len(m.ids) - len(m.kept), "retired": len(m.retired), "max_id": m.max_id}
            for kind, m in self.matchings.items()
        }


def mixed_centroids(micro_centroids: np.ndarray, films: Counter, n: int) -> np.ndarray:
    """Per macro theme, the mean of its films' micro-genre centroids, normalised.

    ``films`` counts the films of each (micro-genre row, macro theme row) pair. A macro theme is a
    facet of each film, so its films come from many micro-genres; this is the same figure for
    the live generation (read back from the index) and the new one, without the films' vectors.
    """
    out = np.zeros((n, micro_centroids.shape[1]))
    for (micro, macro), count in films.items():
        out[macro] += count * micro_centroids[micro]
    return normalize(out)


def max_used(client: OpenSearch, index: str) -> dict[str, int]:
    """The highest id each kind ever handed out (-1 when none)."""
    if not client.indices.exists(index=index):
        return {k: -1 for k in KINDS}
    body = {"size": 0, "aggs": {k: {"filter": {"term": {"kind": k}}, "aggs": {"max": {"max": {"field": "id"}}}} for k in KINDS}}
    aggs = client.search(index=index, body=body)["aggregations"]
    return {k: int(aggs[k]["max"]["value"]) if aggs[k]["max"]["value"] is not None else -1 for k in KINDS}


def read_previous(client: OpenSearch, movies_alias: str, micro_alias: str, ids_index: str) -> Previous | None:
    """The live generation, or None on a first run."""
    if not alias_targets(client, micro_alias) or not alias_targets(client, movies_alias):
        return None
    fields = ["id", "label", "label_phrases", "centroid"]
    docs = [h["_source"] for h in helpers.scan(client, index=micro_alias, query={"_source": fields})]
    members: dict[str, dict[int, set[int]]] = {k: {} for k in KINDS}
    pairs: Counter = Counter()
    macro_labels: dict[int, str] = {}
    for h in helpers.scan(client, index=movies_alias, query={"_source": ["micro_genre_id", "macro_genre_id", "macro_genre"]}):
        film, src = int(h["_id"]), h["_source"]
        micro, macro = int(src["micro_genre_id"]), int(src["macro_genre_id"])
        members["micro"].setdefault(micro, set()).add(film)
        members["macro"].setdefault(macro, set()).add(film)
        pairs[micro, macro] += 1
        macro_labels[macro] = src["macro_genre"]
    micro_ids = [int(d["id"]) for d in docs]
    micro_centroids = normalize(np.array([d["centroid"] for d in docs]))
    macro_ids = sorted(macro_labels)
    micro_row, macro_row = {m: r for r, m in enumerate(micro_ids)}, {m: r for r, m in enumerate(macro_ids)}
    rows = Counter({(micro_row[a], macro_row[b]): n for (a, b), n in pairs.items() if a in micro_row})
    macro_centroids = mixed_centroids(micro_centroids, rows, len(macro_ids))
    registry = _registry_phrases(client, ids_index)
    return Previous(
        generations={
            "micro": identity.Generation(micro_ids, micro_centroids, [frozenset(members["micro"].get(i, ())) for i in micro_ids]),
            "macro": identity.Generation(macro_ids, macro_centroids, [frozenset(members["macro"].get(i, ())) for i in macro_ids]),
        },
        labels={"micro": {int(d["id"]): d["label"] for d in docs}, "macro": macro_labels},
        phrases={"micro": {int(d["id"]): list(d.get("label_phrases") or []) for d in docs}, "macro": registry["macro"]},
        max_used=max_used(client, ids_index),
    )


def _registry_phrases(client: OpenSearch, index: str) -> dict[str, dict[int, list[str]]]:
    out: dict[str, dict[int, list[str]]] = {k: {} for k in KINDS}
    if client.indices.exists(index=index):
        for h in helpers.scan(client, index=index, query={"query": {"term": {"status": "live"}}}):
            out[h["_source"]["kind"]][int(h["_source"]["id"])] = list(h["_source"].get("phrases") or [])
    return out


def assign(
    previous: Previous | None, film_ids: list[int], result: TaxonomyResult, corpus: Corpus, micro: list[MicroGenre]
) -> tuple[list[MicroGenre], Lineage]:
    """``micro`` (indexed by the run's group number) with persistent ids and kept labels. Pure."""
    groups, macro_groups = result.groups, result.macro_groups
    pairs = Counter(zip(result.labels.tolist(), result.film_macro.tolist()))
    macro_centroids = mixed_centroids(result.story_centroids, pairs, len(result.macro))
    new = {  # the micro-genres' label fit was measured once, by the taxonomy (``micro`` carries its phrases)
        "micro": (result.story_centroids, groups, [m.label for m in micro], [m.phrases for m in micro], result.label_fits),
        "macro": (macro_centroids, macro_groups, [m.label for m in result.macro], [m.phrases for m in result.macro], None),
    }
    matchings: dict[str, identity.Matching] = {}
    labels: dict[str, list[str]] = {}
    phrases: dict[str, list[list[str]]] = {}
    fits: dict[str, list[float | None]] = {}
    for kind, (centroids, members, new_labels, new_phrases, measured) in new.items():
        old = previous.generations[kind] if previous else None
        used = previous.max_used[kind] if previous else -1
        m = identity.match(old, centroids, [frozenset(film_ids[i] for i in g) for g in members], used)
        old_labels = [previous.labels[kind].get(m.kept[i]) if previous and i in m.kept else None for i in range(len(members))]
        old_phrases = [previous.phrases[kind].get(m.kept[i]) if previous and i in m.kept else None for i in range(len(members))]
        old_fits = [quality.label_fit([g], [p], corpus.texts)[0] if p else None for g, p in zip(members, old_phrases)]
        new_fits = quality.label_fit(members, new_phrases, corpus.texts) if measured is None else measured
        old_fits = [
            f if may_keep_label(o, op, f, np_, n, g, corpus.genres) else None
            for o, op, f, np_, n, g in zip(old_labels, old_phrases, old_fits, new_phrases, new_fits, members)
        ]
        keep = identity.keep_labels(new_labels, old_labels, old_fits)
        if kind == "macro":  # a theme is named by its shelf (mgm.shelves), whatever it was called before
            keep = [False] * len(members)
        matchings[kind] = m
        labels[kind] = [o if k and o is not None else n for o, n, k in zip(old_labels, new_labels, keep)]  # kept: never None
        phrases[kind] = [o if k and o is not None else n for o, n, k in zip(old_phrases, new_phrases, keep)]
        fits[kind] = [f if k else None for f, k in zip(old_fits, keep)]
    macro_ids, macro_labels = matchings["macro"].ids, labels["macro"]
    out = []
    for c, g in enumerate(micro):
        macro = int(result.macro_of_micro[c])
        changes: dict[str, Any] = dict(id=matchings["micro"].ids[c], macro_id=macro_ids[macro], macro_label=macro_labels[macro])
        kept_fit = fits["micro"][c]
        if kept_fit is not None:  # kept the previous label: its phrases lead the keywords
            kept = phrases["micro"][c]
            rest = [k for k in g.keywords if k not in g.phrases and k not in kept]
            changes.update(label=labels["micro"][c], phrases=kept, keywords=[*kept, *rest][: len(g.keywords)], label_fit=round(kept_fit, 4))
        out.append(replace(g, **changes))
    live = {kind: {m.ids[i]: (labels[kind][i], list(phrases[kind][i])) for i in range(len(m.ids))} for kind, m in matchings.items()}
    return out, Lineage(matchings, live, previous.labels if previous else {k: {} for k in KINDS}, macro_labels)


def may_keep_label(
    old: str | None,
    old_phrases: list[str] | None,
    old_fit: float | None,
    new_phrases: list[str],
    new_fit: float,
    members: list[int],
    genres: list[tuple[str, ...]],
) -> bool:
    """May a matched group keep its previous label ``old`` over the fresh one?

    Only while it is as true of the films as the fresh one (a better method's names replace the
    old ones; the ids, and so every link, stay), and never when it is a bare broad word
    ("Violence") the labeller no longer names a group by, when it names a genre most of the films
    lack ("Dying and Death Horror" over Ice Age), or when it claims the fresh label's very
    phrases: then the fresh wording is the same claim said as a fan says it ("Brother Brother
    Relationship Drama" -> "Brothers")."""
    if old is None or old_fit is None or old_fit < new_fit or is_generic(old) or list(old_phrases or []) == list(new_phrases):
        return False
    return quality.genre_word_truth([members], [old], genres, GENRE_HEADS)["names_most_films_contradict"] == 0


def record(client: OpenSearch, index: str, lineage: Lineage, run_id: str) -> None:
    """Upsert every live id and every id retired by this run (after the swap)."""
    ensure_index(client, index, mapping("ids"))
    actions = []
    for kind, ids in lineage.live.items():
        for group_id, (label, phrases) in ids.items():
            doc = {"kind": kind, "id": group_id, "status": "live", "label": label, "phrases": phrases, "run_id": run_id}
            actions.append({"_index": index, "_id": f"{kind}-{group_id}", "_source": doc})
    for kind, m in lineage.matchings.items():
        for old_id, successor in m.retired.items():
            doc = {
                "kind": kind,
                "id": old_id,
                "status": "retired",
                "successor": successor,
                "run_id": run_id,
                "label": lineage.previous_labels[kind].get(old_id),
            }
            actions.append({"_index": index, "_id": f"{kind}-{old_id}", "_source": doc})
    helpers.bulk(client, actions, refresh=True)
