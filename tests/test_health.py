from mgm.settings import Settings
from webapp import create_app


def test_healthz_reports_real_cluster(settings):
    app = create_app(settings, load_model=False)
    body = app.test_client().get("/healthz").get_json()
    assert body["opensearch"]["cluster_status"] in {"green", "yellow"}
    assert body["index_alias"] == settings.index_alias


def test_healthz_503_when_opensearch_down():
    app = create_app(Settings.from_env({"OPENSEARCH_URL": "http://127.0.0.1:9"}), load_model=False)
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json()["status"] == "down"
