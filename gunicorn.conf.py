"""gunicorn's settings for `make serve`: the production server behind a reverse proxy."""

import multiprocessing
import os

from gunicorn.glogging import Logger

from directory.common.security import safe_path

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Rate limits are counted where the app keeps them: in one process's memory without
# REDIS_URL (so one process, with threads, keeps every limit exact), in Redis with it
# (then as many processes as the machine serves well, each a sync worker: one request
# at a time, no hand-over between threads; a page of 100 dates ~0.5 ms sooner, and its
# slowest answers ~1 ms, than with threads on this kind of machine. The reverse proxy
# in front buffers slow clients, as gunicorn's sync workers want).
shared_limits = bool(os.environ.get("REDIS_URL"))
workers = int(os.environ.get("WEB_CONCURRENCY") or (
    min(2 * multiprocessing.cpu_count() + 1, 9) if shared_limits else 1))
threads = int(os.environ.get("GUNICORN_THREADS") or (1 if shared_limits else 8))
timeout = 60
graceful_timeout = 30
# The app trusts proxies itself (TRUSTED_PROXIES and ProxyFix); gunicorn passes the
# headers through untouched.
forwarded_allow_ips = "*" if int(os.environ.get("TRUSTED_PROXIES") or 0) > 0 else "127.0.0.1"
accesslog = os.environ.get("ACCESS_LOG", "-")
errorlog = "-"
# No query string, no referrer, no user agent: the request line with tokens masked.
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms'


class SafeLogger(Logger):
    """Access log lines without secrets or personal data: query strings dropped (they may
    hold names and contacts), tokens in paths masked (feeds, set-password links, personal
    sign-up pages)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = safe_path(environ.get("RAW_URI") or environ.get("PATH_INFO"))
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {path} {environ.get('SERVER_PROTOCOL')}"
        atoms["U"] = safe_path(environ.get("PATH_INFO"))
        atoms["q"] = atoms["f"] = "-"
        return atoms


logger_class = SafeLogger
