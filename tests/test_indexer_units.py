"""Pure stages: text composition, label metric and labels, k choice, documents, embedding cache."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from indexer import cluster, label
from indexer.documents import MicroGenre, micro_doc, movie_doc, rating_prior, weighted_rating
from indexer.embed import EmbeddingCache
from indexer.load import Movie
from indexer.text import embedding_text, grounding_text, theme_keywords

MAPPINGS = Path(__file__).resolve().parent.parent / "opensearch" / "mappings"


def movie(i: int, **kw) -> Movie:
    base = dict(id=i, title=f"Movie {i}", original_title=f"Movie {i}", tagline="", overview="A heist crew plans a job.",
                genres=("Crime",), keywords=("heist", "duringcreditsstinger", "Based on Novel", "woman director"),
                release_date="1999-05-01", year=1999, vote_average=7.0, vote_count=100, popularity=3.0,
                runtime=100, budget=0, revenue=0, original_language="en")
    base.update(kw)
    return Movie(**base)


def test_bookkeeping_keywords_are_dropped_everywhere():
    m = movie(1, keywords=("heist", "duringcreditsstinger", "aftercreditsstinger", "Based on Novel", "woman director",
                           "independent film", "3d", "sequel", "remake", "based on comic", "Time Travel"))
    assert theme_keywords(m.keywords) == ["heist", "time travel"]
    text = embedding_text(m)
    assert "heist" in text and "stinger" not in text and "novel" not in text.lower() and "director" not in text
    assert "Movie 1" not in text  # title words must not pull films together
    assert grounding_text(m).endswith("| heist | time travel")


def test_label_relevance_is_whole_word_case_insensitive_and_needs_ten_percent():
    texts = ["A Zombie outbreak | | zombie"] + ["a quiet town | | small town"] * 9
    assert label.grounded("zombie", texts)  # 1 of 10 = 10%
    assert not label.grounded("zombie", texts + ["nothing"])  # 1 of 11 < 10%
    assert not label.grounded("zomb", texts)  # part of a word is not a whole word
    assert label.grounded("QUIET TOWN", texts)
    # 2 of 5 grounded in the first group, 5 of 5 in the second; a missing keyword counts as a miss
    rel = label.label_relevance([["zombie", "town", "vampire", "castle", "ghost"], ["quiet", "town", "small town", "small", "zombie"]],
                                [texts, texts])
    assert rel == pytest.approx((2 / 5 + 5 / 5) / 2)
    assert label.label_relevance([["zombie"]], [texts]) == pytest.approx(1 / 5)


def test_candidates_are_distinctive_grounded_keyword_phrases():
    texts = ["zombie apocalypse in a mall | | zombie apocalypse", "zombie apocalypse survivors | | zombie",
             "Parrish agrees to a heist | | heist", "bank heist | | heist", "a film about life | | film"]
    vocab = label.keyword_vocabulary([["zombie apocalypse"], ["zombie"], ["heist"], ["heist"], ["zombie apocalypse", "film"], ["film"]])
    assert "film" not in vocab and "parrish" not in vocab
    per_movie = [label.phrases(t, vocab) for t in texts]
    cands = label.candidates([[0, 1], [2, 3], [4]], per_movie, texts)
    assert cands[0][0] == "zombie apocalypse" and "heist" not in cands[0]
    assert cands[1] == ["heist"]


def test_one_phrase_per_theme_and_distinctiveness():
    assert label._drop_subsumed(["romantic", "zombie apocalypse", "romantic comedy", "apocalypse"]) == ["romantic comedy", "zombie apocalypse"]
    movie_phrases = [{"zombie", "love"}, {"zombie", "love"}, {"love"}, {"love"}, {"heist"}, {"love"}]
    # "zombie" is 3x more frequent in group 0 than overall, "love" is not
    assert label.label_distinctiveness([["zombie", "love"]], [[0, 1]], movie_phrases, top_n=2) == 0.5
    assert label.frequent_keywords([[0, 1, 2]], movie_phrases, top_n=1) == [["love"]]


def test_label_options_and_unique_labels():
    opts = label.label_options(["vampire", "high school", "blood"])
    assert opts == ["high school", "vampire high school", "vampire blood"]
    assert all(2 <= len(o.split()) <= 4 for o in opts)
    labels = label.unique_labels([["heist crew", "bank heist"], ["heist crew"], ["heist crew"]],
                                 [np.array([0.9, 0.1]), np.array([0.9]), np.array([0.9])], [5, 10, 2])
    assert labels == ["Bank Heist", "Heist Crew", "Heist Crew 2"]  # bigger groups choose first
    assert label.title_case("fbi agent in world war ii") == "FBI Agent in World War II"
    assert label.title_case("sword and sorcery") == "Sword and Sorcery"


def test_choose_k_balances_the_three_measures():
    curve = [{"k": 150, "silhouette": 0.05, "davies_bouldin": 3.0, "stability": 0.5},
             {"k": 200, "silhouette": 0.04, "davies_bouldin": 3.5, "stability": 0.4},
             {"k": 250, "silhouette": 0.01, "davies_bouldin": 2.0, "stability": 0.3}]
    assert cluster.choose_k(curve) == 150
    assert all("score" in row for row in curve)


def test_cluster_finds_planted_groups_and_macro_themes():
    rng = np.random.default_rng(0)
    centers = cluster.normalize(rng.normal(size=(40, 16)))
    x = cluster.normalize(np.repeat(centers, 10, axis=0) + 0.05 * rng.normal(size=(400, 16))).astype(np.float32)
    curve = cluster.sweep(x, grid=(20, 40, 60), seeds=(0, 1))
    k = cluster.choose_k(curve)
    assert k == 40
    result = cluster.cluster(x, k, curve)
    assert len(set(result.labels)) == 40 and result.silhouette > 0.5
    assert 15 <= result.n_macro <= 30 and result.macro_of_micro.shape == (40,)


def test_weighted_rating_shrinks_few_votes_towards_the_prior():
    assert weighted_rating(0, 9.0, 100, 6.0) == 6.0
    assert weighted_rating(100, 9.0, 100, 6.0) == pytest.approx(7.5)
    assert weighted_rating(10_000, 9.0, 100, 6.0) > 8.9


def test_documents_follow_the_strict_mappings():
    props = {n: set(json.loads((MAPPINGS / f"{n}.json").read_text())["mappings"]["properties"]) for n in ("movies", "micro_genres")}
    g = MicroGenre(3, "Heist Crew", ["heist", "bank", "crew", "vault", "robbery"], 1, "Crime Capers")
    members = [movie(1), movie(2, vote_count=0, vote_average=0.0, year=2010, release_date=None)]
    doc = movie_doc(members[1], np.ones(384, np.float32), g)
    assert set(doc) <= props["movies"] and "release_date" not in doc
    assert doc["keywords"] == ["heist"] and doc["micro_genre_id"] == 3 and doc["decade"] == 2010
    mdoc = micro_doc(g, members, np.ones(384), rating_prior([members]))
    assert set(mdoc) == props["micro_genres"]
    assert mdoc["size"] == 2 and mdoc["mean_rating"] == 7.0 and (mdoc["year_min"], mdoc["year_max"]) == (1999, 2010)
    assert mdoc["top_movies"][0]["id"] == 1


def test_embedding_cache_second_run_encodes_nothing(tmp_path, settings):
    from mgm.model import cache_namespace, encode, model_for

    model = model_for(settings)
    namespace = cache_namespace(settings)
    calls: list[int] = []

    def counting_encode(texts):
        calls.append(len(texts))
        return encode(model, texts)

    texts = ["A heist crew plans one last job.", "Zombies overrun a mall.", "Two rival magicians."]
    cache = tmp_path / "emb.parquet"

    def embed_cached(texts: list[str], model_name: str = namespace):  # one run: a fresh object reads the file
        return EmbeddingCache(cache, model_name, counting_encode).embed(texts)

    first, n1 = embed_cached(texts)
    second, n2 = embed_cached(texts)
    assert (n1, n2) == (3, 0) and calls == [3]
    np.testing.assert_array_equal(first, second)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    _, n3 = embed_cached(texts[:2] + ["Two rival magicians, in Paris."])
    assert n3 == 1  # only the changed text
    _, n4 = embed_cached(texts, "another-model")
    assert n4 == 3  # the key includes the model's identity and backend
    one_run = EmbeddingCache(cache, namespace, counting_encode)
    cache.unlink()
    assert one_run.embed(texts)[1] == 0  # read once per run: later calls are served from memory
