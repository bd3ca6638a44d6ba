"""gunicorn settings for one masthead app node (`gunicorn -c deploy/gunicorn/gunicorn.conf.py masthead.wsgi`).

Every value can be overridden by the environment (GUNICORN_BIND, GUNICORN_WORKERS, ...), so the systemd unit and
`make cluster` share this file.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# Sync workers: a page is CPU work plus a few short queries; 2 per core keeps the cores busy while one waits.
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * multiprocessing.cpu_count())))
worker_class = "sync"
# A worker stuck longer than this is killed and replaced (Varnish retries the read on another node).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5  # Varnish keeps connections to the nodes open
# Replaced now and then, so that a slow leak never grows a worker without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# The app is loaded once in the master and forked: less memory, and a broken deploy fails at start.
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
# Varnish and nginx sit on this machine (or the private network): believe their X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "masthead-web"
