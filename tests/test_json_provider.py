"""orjson behind Flask's JSON: the same JSON as Flask's standard provider, faster."""

from __future__ import annotations

import datetime
import decimal

import numpy as np
from flask import Flask
from flask.json.provider import DefaultJSONProvider

from webapp.api.json_provider import OrjsonProvider

SAMPLE = {
    "results": [{"title": "Amélie <b>", "score": 0.75, "year": None, "genres": ["Drama"], "ok": True}],
    "z": 1,
    "a": [1.5, -2, "x"],
    "when": datetime.datetime(2020, 1, 2, 3, 4, 5),
    "price": decimal.Decimal("1.50"),
}


def test_jsonify_gives_the_standard_providers_json():
    ours, standard = Flask("ours"), Flask("standard")
    ours.json = OrjsonProvider(ours)
    assert isinstance(standard.json, DefaultJSONProvider) and not isinstance(standard.json, OrjsonProvider)
    with ours.app_context():
        fast = ours.json.response(SAMPLE).get_data()
    with standard.app_context():
        slow = standard.json.response(SAMPLE).get_data()
    assert ours.json.loads(fast) == standard.json.loads(slow)
    assert fast.decode().replace("\\u00e9", "é") == slow.decode().replace("\\u00e9", "é")


def test_numpy_values_and_indent_still_work():
    app = Flask("t")
    app.json = OrjsonProvider(app)
    assert app.json.loads(app.json.dumps({"v": np.float32(0.5), "n": np.int64(3)})) == {"v": 0.5, "n": 3}
    assert app.json.dumps({"b": 1, "a": 2}, indent=1) == '{\n "a": 2,\n "b": 1\n}'
