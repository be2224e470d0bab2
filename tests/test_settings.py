from pathlib import Path

import pytest

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


def test_cluster_auth_and_tls_settings():
    s = Settings.from_env({})
    assert (s.index_shards, s.index_replicas, s.opensearch_user, s.opensearch_verify_certs) == (1, 0, "", True)
    assert s.opensearch_hosts == ["http://127.0.0.1:9200"]
    s = Settings.from_env(
        {
            "OPENSEARCH_URL": "https://a:1, https://b:2,",
            "INDEX_SHARDS": "2",
            "INDEX_REPLICAS": "1",
            "OPENSEARCH_USER": "u",
            "OPENSEARCH_PASSWORD": "p",
            "OPENSEARCH_CA_CERTS": "/ca.pem",
            "OPENSEARCH_VERIFY_CERTS": "False",
        }
    )
    assert s.opensearch_hosts == ["https://a:1", "https://b:2"]
    assert (s.index_shards, s.index_replicas, s.opensearch_user, s.opensearch_password) == (2, 1, "u", "p")
    assert (s.opensearch_ca_certs, s.opensearch_verify_certs) == (Path("/ca.pem"), False)


def test_shard_and_replica_counts_reach_the_index_body_and_leave_the_mapping_file_alone():
    from indexer.publish.index_settings import with_shards
    from indexer.publish.store import mapping

    body = mapping("movies")
    out = with_shards(body, Settings.from_env({"INDEX_SHARDS": "2", "INDEX_REPLICAS": "1"}))
    assert (out["settings"]["index"]["number_of_shards"], out["settings"]["index"]["number_of_replicas"]) == (2, 1)
    assert out["settings"]["index"]["knn"] is True and out["mappings"] == body["mappings"]
    assert body["settings"]["index"]["number_of_replicas"] == 0


def test_a_clone_in_a_scratch_folder_finds_the_dataset_beside_its_origin(tmp_path):
    from mgm.settings import CSV_IN_SHARED, default_csv

    origin, clone = tmp_path / "work" / "project", tmp_path / "scratch" / "x"
    dataset = tmp_path / "work" / CSV_IN_SHARED
    dataset.parent.mkdir(parents=True)
    dataset.write_text("placeholder: only its place is tested\n")
    (clone / ".git").mkdir(parents=True)
    assert default_csv(clone) == clone.parent / CSV_IN_SHARED  # no origin: the checkout's own sibling, named in errors
    (clone / ".git" / "config").write_text(f'[remote "origin"]\n\turl = {origin}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n')
    assert default_csv(clone) == dataset
    assert default_csv(origin) == dataset  # the checkout beside shared/ itself


def test_trusted_proxies_is_a_hop_count_off_by_default():
    assert Settings.from_env({}).trusted_proxies == 0
    assert Settings.from_env({"TRUSTED_PROXIES": ""}).trusted_proxies == 0
    assert Settings.from_env({"TRUSTED_PROXIES": " 2 "}).trusted_proxies == 2
    for bad in ("-1", "1.5", "yes"):
        with pytest.raises(ValueError, match=r"^TRUSTED_PROXIES=.*whole number of proxies >= 0") as error:
            Settings.from_env({"TRUSTED_PROXIES": bad})
        assert "\n" not in str(error.value) and repr(bad) in str(error.value)
