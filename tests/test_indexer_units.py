"""Pure stages: text composition, documents, embedding cache (taxonomy stages: test_taxonomy_units)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from indexer.features.embed import EmbeddingCache
from indexer.ingest.load import Movie
from indexer.ingest.text import embedding_text, grounding_text, theme_keywords
from indexer.publish.documents import MicroGenre, micro_doc, movie_doc, rating_prior
from mgm.rating import MIN_VOTES, PRIOR_VOTES, film_rating, weighted_rating

MAPPINGS = Path(__file__).resolve().parent.parent / "opensearch" / "mappings"


def movie(i: int, **kw) -> Movie:
    base = dict(
        id=i,
        title=f"Movie {i}",
        original_title=f"Movie {i}",
        tagline="",
        overview="A heist crew plans a job.",
        genres=("Crime",),
        keywords=("heist", "duringcreditsstinger", "Based on Novel", "woman director"),
        release_date="1999-05-01",
        year=1999,
        vote_average=7.0,
        vote_count=100,
        popularity=3.0,
        runtime=100,
        budget=0,
        revenue=0,
        original_language="en",
    )
    base.update(kw)
    return Movie(**base)


def test_bookkeeping_keywords_are_dropped_everywhere():
    m = movie(
        1,
        keywords=(
            "heist",
            "duringcreditsstinger",
            "aftercreditsstinger",
            "Based on Novel",
            "woman director",
            "independent film",
            "3d",
            "sequel",
            "remake",
            "based on comic",
            "Time Travel",
        ),
    )
    assert theme_keywords(m.keywords) == ["heist", "time travel"]
    text = embedding_text(m)
    assert "heist" in text and "stinger" not in text and "novel" not in text.lower() and "director" not in text
    assert "Movie 1" not in text  # title words must not pull films together
    assert grounding_text(m).endswith("| heist | time travel")


def test_weighted_rating_shrinks_few_votes_towards_the_prior():
    assert weighted_rating(0, 9.0, 6.0, 100) == 6.0
    assert weighted_rating(100, 9.0, 6.0, 100) == pytest.approx(7.5)
    assert weighted_rating(10_000, 9.0, 6.0, 100) > 8.9


def test_film_rating_needs_the_minimum_votes():
    assert film_rating(MIN_VOTES - 1, 10.0, 6.5) is None and film_rating(0, 0.0, 6.5) is None
    assert film_rating(2 * PRIOR_VOTES, 8.0, 6.5) == pytest.approx(7.5)
    assert film_rating(MIN_VOTES, 10.0, 6.5) < film_rating(8000, 8.5, 6.5)  # a 10.0 from ten votes ranks below Shawshank


def test_documents_follow_the_strict_mappings():
    props = {n: set(json.loads((MAPPINGS / f"{n}.json").read_text())["mappings"]["properties"]) for n in ("movies", "micro_genres")}
    g = MicroGenre(
        3,
        "Heist Crew",
        ["heist", "bank", "crew", "vault", "robbery"],
        1,
        "Crime Capers",
        ["heist"],
        [{"phrase": "heist", "share": 1.0, "catalogue_share": 0.01}],
        1.0,
    )
    members = [movie(1), movie(2, vote_count=0, vote_average=0.0, year=2010, release_date=None)]
    catalogue = rating_prior([members])
    doc = movie_doc(members[1], np.ones(384, np.float32), g, catalogue)
    assert set(doc) <= props["movies"] and "release_date" not in doc and doc["rating_weighted"] is None
    assert doc["keywords"] == ["heist"] and doc["micro_genre_id"] == 3 and doc["decade"] == 2010
    mdoc = micro_doc(g, members, np.ones(384), catalogue)
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


def test_failed_runs_never_prune_the_live_runs_stages(tmp_path):
    """Stages are saved before a run publishes: runs that then fail must not push the live
    run's stages out (``indexer add`` reads them), however many fail in a row."""
    from indexer.incremental import save_stages, stages_dir

    stages = {"stand-in": "a picklable object; save_stages does not look inside"}
    live = "20260101-000000-aaaaaa"
    save_stages(stages, tmp_path, "mg", live, live=None)  # the first run, before its swap
    for failed in ("20260102-000000-bbbbbb", "20260103-000000-cccccc", "20260104-000000-dddddd"):
        save_stages(stages, tmp_path, "mg", failed, live=live)
    kept = sorted(p.stem for p in stages_dir(tmp_path, "mg").glob("*.joblib"))
    assert kept == [live, "20260104-000000-dddddd"]


def test_stages_saved_before_the_stage_packages_still_load():
    """A full run's saved stages pickle ``indexer.features.ThemeFeatures`` and its TF-IDF analyzer
    ``indexer.features._tokens`` (the module before issue 24 made ``features`` a package)."""
    import pickle

    from indexer.features import theme_features

    assert pickle.loads(b"cindexer.features\nThemeFeatures\n.") is theme_features.ThemeFeatures
    assert pickle.loads(b"cindexer.features\n_tokens\n.") is theme_features._tokens


def test_add_refuses_stages_saved_before_the_placement_rule_in_one_line(tmp_path):
    """A run of the code before stop 39 saved ``Stages`` without a ``Placement``: ``add`` would
    have failed on it with an AttributeError; it refuses (exit 1 at the CLI) and names the fix."""
    import joblib

    from indexer.incremental import AddRefused, Stages, load_stages

    old = object.__new__(Stages)
    old.__dict__.update(features=None, centroids=np.zeros((2, 3)), ids=[0, 1], clustered_distance=1.0)
    path = tmp_path / "old.joblib"
    joblib.dump(old, path)
    with pytest.raises(AddRefused, match="predate .* run a full reindex first"):
        load_stages(path)


def test_add_refuses_a_placement_saved_before_its_current_fields_in_one_line(tmp_path):
    """Stop 39's ``Placement`` kept each film's final theme, not its post-drop choice (``chose``,
    stop 40): ``add`` would fail on it with an AttributeError; it refuses and names the fix."""
    import dataclasses

    import joblib

    from indexer.incremental import AddRefused, Stages, load_stages
    from indexer.taxonomy.place import Placement

    old = object.__new__(Placement)
    old.__dict__.update({f.name: None for f in dataclasses.fields(Placement) if f.name not in ("chose", "dropped_join")}, themes=None)
    stages = object.__new__(Stages)
    stages.__dict__.update(placement=old, features=None, centroids=np.zeros((2, 3)), ids=[0, 1], clustered_distance=1.0)
    joblib.dump(stages, tmp_path / "old.joblib")
    with pytest.raises(AddRefused, match="predate .* run a full reindex first"):
        load_stages(tmp_path / "old.joblib")
    stages.placement.__dict__.update(chose=None, dropped_join=0)  # today's fields: loaded
    joblib.dump(stages, tmp_path / "new.joblib")
    assert load_stages(tmp_path / "new.joblib").placement.dropped_join == 0


def test_a_reindex_keeps_an_old_label_only_while_it_is_as_true_and_a_different_claim():
    from indexer.publish.lineage import may_keep_label

    genres = [("Drama",)] * 3 + [("Horror",)]
    films = [0, 1, 2, 3]
    # a different claim, as true as the fresh one: kept (names stay stable across reindexes)
    assert may_keep_label("Heist", ["heist"], 0.8, ["robbery"], 0.7, films, genres)
    # less true than the fresh one, or a bare broad word: the fresh label
    assert not may_keep_label("Heist", ["heist"], 0.6, ["robbery"], 0.7, films, genres)
    assert not may_keep_label("Violence", ["violence"], 0.9, ["robbery"], 0.7, films, genres)
    # the same claim in old wording: the fresh wording ("Brothers")
    assert not may_keep_label(
        "Brother Brother Relationship Drama", ["brother brother relationship"], 0.9, ["brother brother relationship"], 0.9, films, genres
    )
    # a genre word most of the films lack (one horror film in four)
    assert not may_keep_label("Dying and Death Horror", ["dying and death"], 0.9, ["funeral"], 0.5, films, genres)
    assert may_keep_label("Dying and Death Drama", ["dying and death"], 0.9, ["funeral"], 0.5, films, genres)


def test_labels_are_written_as_a_fan_writes_them():
    from indexer.taxonomy.label import is_generic, title_case

    phrases = [
        "middle-earth (tolkien)",
        "lgbt",
        "dc comics",
        "fbi agent",
        "sword and sorcery",
        "brother brother relationship",
        "father son relationship",
    ]
    assert [title_case(p) for p in phrases] == [
        "Middle-earth (Tolkien)",
        "LGBT",
        "DC Comics",
        "FBI Agent",
        "Sword and Sorcery",
        "Brothers",
        "Father-Son Stories",
    ]
    assert is_generic("father son relationship") is False  # a fan's name stands alone, without a genre word


def test_a_genre_word_never_repeats_the_theme_it_names():
    from indexer.taxonomy.label import PhraseStats, genre_words

    stats = PhraseStats([{"criminal"}] * 4 + [set()] * 16, [("Crime", "Thriller")] * 4 + [("Drama",)] * 16)
    assert genre_words([0, 1, 2, 3], stats, "criminal") == ["Thriller"]  # not "Criminal Crime"
