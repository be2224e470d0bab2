"""The indexer's large-catalogue paths (issue 25) answer as the small-catalogue ones do."""

from __future__ import annotations

import json

import numpy as np
from sklearn.neighbors import NearestNeighbors

from indexer.features import layout
from indexer.features.neighbours import nearest
from indexer.features.vectors import nearest_to, normalize
from indexer.ingest.load import Movie, validate
from indexer.taxonomy import quality


def test_blocked_float32_neighbours_find_sklearns_neighbours():
    rng = np.random.default_rng(0)
    x = normalize(rng.normal(size=(600, 32)))
    _, expected = NearestNeighbors(n_neighbors=7, metric="cosine").fit(x[:400]).kneighbors(x)
    found = nearest_to(x, x[:400], 7)
    assert all(set(a) == set(b) for a, b in zip(expected, found))


def test_neighbour_blocks_do_not_change_the_answer(monkeypatch):
    from indexer.features import vectors

    space = np.random.default_rng(1).normal(size=(300, 16))
    whole = nearest(space, 5)
    monkeypatch.setattr(vectors, "BLOCK_CELLS", 300 * 7)  # 7 rows a block
    assert (np.sort(nearest(space, 5), axis=1) == np.sort(whole, axis=1)).all()


def test_carriers_share_is_share_carrying():
    texts = ["a sci-fi war film | war", "warrior of new york", "new yorker", "the war", "sci fi"]
    catalogue = quality.Carriers(texts)
    asked = (["war"], ["sci-fi"], ["new york"], ["sci fi", "war"], ["nothing"], ["a"])
    indexed = quality.Carriers(texts, [p for phrases in asked for p in phrases])  # only the asked phrases' words
    for phrases in asked:
        assert catalogue.share(phrases) == indexed.share(phrases) == quality.share_carrying(texts, phrases)
    assert "yorker" not in indexed.words and "york" in indexed.words


def test_large_map_lays_out_a_sample_and_places_the_rest(monkeypatch):
    monkeypatch.setattr(layout, "SAMPLE", 60)
    rng = np.random.default_rng(2)
    centres = rng.normal(size=(3, 20)) * 5
    x = np.vstack([c + rng.normal(size=(50, 20)) for c in centres]).astype(np.float32)
    xy = layout.map_coordinates(x)
    assert xy.shape == (150, 2) and np.isfinite(xy).all() and np.abs(xy).max() <= 1.0001
    # every film sits nearer its own cloud's centre on the map than another cloud's
    centre = np.stack([xy[i * 50 : (i + 1) * 50].mean(axis=0) for i in range(3)])
    own = np.linalg.norm(xy - np.repeat(centre, 50, axis=0), axis=1)
    other = np.min([np.linalg.norm(xy - centre[(np.arange(150) // 50 + s) % 3], axis=1) for s in (1, 2)], axis=0)
    assert (own < other).mean() > 0.95


def test_synthetic_rows_read_back_as_the_films_they_were_made_from():
    from bench.scale import SYNTHETIC_ID_BASE, synthetic_rows

    real = [
        Movie(
            id=i + 1,
            title=f"Film {i}",
            original_title=f"Film {i}",
            tagline=f"tag {i}",
            overview=f"First part {i}. Second part {i}. Third {i}",
            genres=("Drama", "Crime"),
            keywords=("heist", f"kw{i}", "mafia"),
            release_date="1999-01-02",
            year=1999,
            vote_average=7.1,
            vote_count=10 + i,
            popularity=1.5,
            runtime=None,
            budget=0,
            revenue=0,
            original_language="en",
        )
        for i in range(3)
    ]
    rows, source = synthetic_rows(real, 7)
    loaded = validate(json.loads(json.dumps(rows))).movies
    assert [m.id for m in loaded] == [SYNTHETIC_ID_BASE + i for i in range(7)]
    assert list(source) == [i % 3 for i in range(7)]
    for m, s in zip(loaded, source):
        assert m.genres == real[s].genres and m.vote_count == real[s].vote_count and m.original_title.startswith("synthetic #")


def test_float32_space_above_the_threshold_finds_the_same_neighbours(monkeypatch):
    from indexer.features import neighbours

    rng = np.random.default_rng(3)
    vectors = normalize(rng.normal(size=(400, 24)))
    keyword_lists = [["heist", "mafia"][: i % 3] for i in range(400)]
    keyword_vectors = {"heist": normalize(rng.normal(size=(1, 24)))[0], "mafia": normalize(rng.normal(size=(1, 24)))[0]}
    genres = [("Drama",) if i % 2 else ("Crime", "Drama") for i in range(400)]
    before = neighbours.nearest(neighbours.film_space(vectors, keyword_lists, genres, keyword_vectors), 6)
    monkeypatch.setattr(neighbours, "FLOAT32_ABOVE", 100)
    space = neighbours.film_space(vectors, keyword_lists, genres, keyword_vectors)
    assert space.dtype == np.float32
    after = neighbours.nearest(space, 6)
    assert np.mean([set(a) == set(b) for a, b in zip(before, after)]) > 0.99


def _random_films(seed: int, films: int, words: int, most: int, dim: int) -> tuple[np.ndarray, list[list[str]]]:
    """Unit story vectors and 0..``most`` keywords a film from a vocabulary of ``words``."""
    rng = np.random.default_rng(seed)
    vocabulary = [f"kw{i}" for i in range(words)]
    keyword_lists = [list(rng.choice(vocabulary, size=int(rng.integers(0, most + 1)), replace=False)) for _ in range(films)]
    return normalize(rng.normal(size=(films, dim))), keyword_lists


def test_keyword_view_above_the_threshold_is_the_same_view(monkeypatch):
    from indexer.features import theme_features as features

    vectors, keyword_lists = _random_films(seed=4, films=300, words=40, most=8, dim=24)
    small = features.ThemeFeatures(svd_dim=8).fit_transform(vectors, keyword_lists)
    monkeypatch.setattr(features, "EXACT_FLOAT64_MAX", 10)
    large = features.ThemeFeatures(svd_dim=8).fit_transform(vectors, keyword_lists)
    assert np.allclose(small, large, atol=1e-5)


def test_the_cache_read_in_batches_is_the_cache_written(tmp_path, monkeypatch):
    from indexer.features import embed

    rng = np.random.default_rng(5)
    written = {f"key {i}": rng.normal(size=384).astype(np.float32) for i in range(50)}
    embed.write_cache(tmp_path / "c.parquet", written)
    monkeypatch.setattr(embed, "READ_BATCH", 7)  # several batches, the last one short
    read = embed.read_cache(tmp_path / "c.parquet")
    assert list(read) == list(written) and all(np.array_equal(read[k], v) for k, v in written.items())


def test_the_drift_baseline_in_blocks_is_the_whole_one(monkeypatch):
    from types import SimpleNamespace

    from indexer import incremental

    rng = np.random.default_rng(6)
    result = SimpleNamespace(features=rng.normal(size=(100, 12)), feature_centroids=rng.normal(size=(5, 12)), labels=rng.integers(0, 5, 100))
    whole = np.linalg.norm(result.features - result.feature_centroids[result.labels], axis=1).mean()
    monkeypatch.setattr(incremental, "BLOCK_ROWS", 9)
    assert incremental.clustered_distance(result) == round(float(whole), 4)


def test_the_borrowed_view_in_blocks_is_the_whole_one(monkeypatch):
    from indexer.features import theme_features as features

    vectors, keyword_lists = _random_films(seed=7, films=200, words=30, most=6, dim=16)
    fitted = features.ThemeFeatures(svd_dim=8).fit(vectors, keyword_lists)
    whole = fitted.transform(vectors, keyword_lists)
    monkeypatch.setattr(features, "MEAN_BLOCK", 7)
    assert np.array_equal(fitted.transform(vectors, keyword_lists), whole)
