from pathlib import Path

from mgm.settings import Settings


def test_defaults():
    s = Settings.from_env({})
    assert s.opensearch_url == "http://127.0.0.1:9200"
    assert s.index_alias == "movies"
    assert s.port == 8000
    assert s.movies_csv.name == "tmdb_5000_movies.csv"


def test_environment_overrides():
    s = Settings.from_env({"OPENSEARCH_URL": "http://h:1", "INDEX_ALIAS": "m2", "PORT": "9001", "MOVIES_CSV": "/x.csv"})
    assert (s.opensearch_url, s.index_alias, s.port, s.movies_csv) == ("http://h:1", "m2", 9001, Path("/x.csv"))
