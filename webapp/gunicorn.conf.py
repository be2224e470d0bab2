"""gunicorn settings for `make run`: loopback only, threads because search is I/O-bound.

BIND_HOST lets the container image listen on 0.0.0.0 (Docker publishes the port); on a
developer machine the default stays loopback.
"""
import os

bind = f"{os.environ.get('BIND_HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 60
accesslog = "-"
# Above the app's own limits, so an over-long query gets the API's JSON 400 naming the field
# instead of gunicorn's HTML 414: q may hold 500 characters, up to 6,000 bytes once UTF-8 and
# percent-encoded (4 x 3 per character). 8190 is gunicorn's maximum.
limit_request_line = 8190
