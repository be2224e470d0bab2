"""Persistent ids (indexer.taxonomy.identity) on planted clusterings: shuffled, perturbed, split, merged."""

from __future__ import annotations

import numpy as np

from indexer.features.vectors import normalize
from indexer.taxonomy import identity


def _planted(seed: int = 0, k: int = 30, per: int = 20) -> tuple[identity.Generation, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = normalize(rng.normal(size=(k, 16)))
    members = [frozenset(range(c * per, (c + 1) * per)) for c in range(k)]
    return identity.Generation(ids=[100 + 3 * c for c in range(k)], centroids=centres, members=members), rng


def test_a_shuffled_slightly_perturbed_clustering_keeps_every_id():
    old, rng = _planted()
    order = rng.permutation(len(old.ids))
    members = [set(old.members[c]) for c in order]
    for m in members:  # 2 films of 20 leave, one new film arrives
        for film in sorted(m)[:2]:
            m.discard(film)
        m.add(10_000 + len(m) + int(rng.integers(1_000_000)))
    centroids = normalize(old.centroids[order] + rng.normal(scale=0.05, size=old.centroids.shape))
    result = identity.match(old, centroids, [frozenset(m) for m in members], max_used=200)
    assert result.ids == [old.ids[c] for c in order]
    assert not result.retired and result.max_id == 200


def test_new_groups_get_ids_never_used_and_retired_ids_name_a_live_successor():
    old, rng = _planted(k=10)
    # group 0 and 1 merge; group 2 splits in two; the rest stay
    merged = old.members[0] | old.members[1]
    half = sorted(old.members[2])
    members = [merged, frozenset(half[:10]), frozenset(half[10:]), *old.members[3:]]
    centroids = np.vstack(
        [
            normalize(old.centroids[:2].mean(axis=0, keepdims=True)),
            normalize(old.centroids[2:3] + 0.3 * rng.normal(size=(1, 16))),
            normalize(old.centroids[2:3] + 0.3 * rng.normal(size=(1, 16))),
            old.centroids[3:],
        ]
    )
    result = identity.match(old, centroids, members, max_used=500)
    assert result.ids[3:] == old.ids[3:]
    assert len(set(result.ids)) == len(result.ids)
    fresh = [i for i in result.ids if i not in old.ids]
    assert fresh and min(fresh) == 501 and result.max_id == max(result.ids)
    assert len(result.retired) == len(old.ids) - len(result.kept)
    live = set(result.ids)
    assert all(identity.resolve(result.retired, old_id, live) in live for old_id in old.ids)
    # a merged-away id points at the group holding its films
    assert all(s == result.ids[0] for o, s in result.retired.items() if o in old.ids[:2])


def test_unrelated_groups_are_not_matched():
    old, rng = _planted(k=5)
    members = [frozenset(range(5000 + 10 * c, 5010 + 10 * c)) for c in range(5)]
    result = identity.match(old, normalize(rng.normal(size=(5, 16))), members, max_used=120)
    assert result.kept == {} and result.ids == list(range(121, 126)) and len(result.retired) == 5


def test_first_run_numbers_from_zero_and_resolve_follows_chains():
    result = identity.match(None, np.eye(3), [frozenset({1}), frozenset({2}), frozenset({3})])
    assert result.ids == [0, 1, 2] and result.max_id == 2
    assert identity.resolve({1: 5, 5: 9}, 1, {9}) == 9
    assert identity.resolve({1: 5}, 1, {9}) is None and identity.resolve({}, 4, {9}) is None


def test_labels_are_kept_while_they_fit_and_never_duplicated():
    fresh = ["Heist", "Zombie", "Space", "Pirates", "Shark Attack"]
    previous = [None, "Undead", None, "Heist", "Sharks"]
    keep = identity.keep_labels(fresh, previous, [None, 0.2, None, 0.6, 0.4])
    # "Undead" fits too few films; "Heist" is group 0's fresh label now, so group 3 takes its own fresh one
    assert keep == [False, False, False, False, True]


def test_a_numbered_label_gives_way_to_its_qualified_successor():
    fresh = ["Family Drama: Dysfunctional", "Love Comedy 2", "Heist: Vault", "Apollo 13"]
    previous = ["Family Drama 2", "Love Comedy 2", "Heist 3", "Apollo 13"]
    keep = identity.keep_labels(fresh, previous, [0.5, 0.5, 0.5, 0.5])
    assert keep == [False, True, False, True]
