"""gunicorn settings for `make run` and the web image: loopback only, gthread workers.

BIND_HOST lets the container image listen on 0.0.0.0 (Docker publishes the port); on a
developer machine the default stays loopback. One worker with 8 threads by default: its
request threads share one query encoder, whose batches then serve more requests per pass
(``mgm.query_encoder.BatchingEncoder``). On 2 cores that beat 2 workers x 4 threads in both
passes of `python -m bench web_layout` (117-119 vs 105-111 req/s, p95 92-94 vs 108-118 ms,
web CPU 5.4 vs 7.3-7.9 ms per hybrid search) at half the memory. A worker that dies is
restarted by the master; give a bigger machine one worker per two cores (WEB_WORKERS).
"""

import os

bind = f"{os.environ.get('BIND_HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_WORKERS", "1"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "8"))
timeout = 60
accesslog = "-"
# Above the app's own limits, so an over-long query gets the API's JSON 400 naming the field
# instead of gunicorn's HTML 414: q may hold 500 characters, up to 6,000 bytes once UTF-8 and
# percent-encoded (4 x 3 per character). 8190 is gunicorn's maximum.
limit_request_line = 8190


def on_starting(server):
    """Make the ONNX export once, in a subprocess, before any worker starts.

    Workers would otherwise each start an export when it is missing (safe, but twice the
    work); the master never imports torch either (``mgm.query_encoder.ensure_export``).
    """
    from mgm.query_encoder import EncoderUnavailable, ensure_export
    from mgm.settings import Settings

    try:
        ensure_export(Settings.from_env())
    except EncoderUnavailable as exc:  # one line that says what to run, not a stack trace
        server.log.error("%s", exc)
        raise SystemExit(1) from None
