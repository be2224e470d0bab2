"""gunicorn settings for `make run` and the web image: loopback only, gthread workers.

BIND_HOST lets the container image listen on 0.0.0.0 (Docker publishes the port); on a
developer machine the default stays loopback. Two workers with 8 threads each by default:
with the int8 query encoder (``QUERY_BACKEND``, each query encoded alone in about 1.4 ms) a
second process serves while the first holds the GIL, and 8 threads let either worker serve
at once every client whose keep-alive connection it holds, however the clients split. 2 x 4
and 2 x 8 interleaved (8 clients, 20 s each): p95 78.7 / 78.3 vs 70.3 / 69.3 ms; in the
committed web_layout run below they are alike (67 / 72 vs 70 / 67 ms).
`python -m bench web_layout`, two passes on 2 cores, 8 clients (hybrid req/s, p95): int8 2 x 8
170 / 177, 70 / 67 ms; int8 1 x 8 155 / 166, 77 / 72 ms; float32 1 x 8, the previous default,
130 / 130, 91 / 90 ms (float32 batched the queries of one worker's threads,
``mgm.query_encoder.BatchingEncoder``, so one worker suited it). A worker that dies is
restarted by the master; give a bigger machine more (WEB_WORKERS). Each worker keeps its own
rate-limit buckets.
"""

import os

bind = f"{os.environ.get('BIND_HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "8"))
timeout = 60
accesslog = "-"
# Above the app's own limits, so an over-long query gets the API's JSON 400 naming the field
# instead of gunicorn's HTML 414: q may hold 500 characters, up to 6,000 bytes once UTF-8 and
# percent-encoded (4 x 3 per character). 8190 is gunicorn's maximum.
limit_request_line = 8190


def on_starting(server):
    """Make the ONNX export (and the int8 graph, when ``QUERY_BACKEND`` asks for it) once,
    before any worker starts, and refuse an unknown backend with one line.

    Workers would otherwise each start an export when it is missing (safe, but twice the
    work); the master never imports torch either (``mgm.query_encoder.query_graph``).
    """
    from mgm.query_encoder import EncoderUnavailable, query_graph
    from mgm.settings import Settings

    try:
        query_graph(Settings.from_env())
    except EncoderUnavailable as exc:  # one line that says what to run, not a stack trace
        server.log.error("%s", exc)
        raise SystemExit(1) from None
