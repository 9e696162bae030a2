"""Serve the app on 127.0.0.1:PORT against DATABASE_URI, for multi-process tests.

    python -m tests.serve DATABASE_URI PORT
"""

import os
import sys

from werkzeug.serving import make_server

from directory import create_app
from tests.conftest import config_for_tests

if __name__ == "__main__":
    uri, port = sys.argv[1], int(sys.argv[2])
    extra = {}
    if os.environ.get("REDIS_URL"):  # limits on, counted in Redis
        extra = {"RATELIMIT_ENABLED": True, "REDIS_URL": os.environ["REDIS_URL"]}
    app = create_app(config_for_tests(uri, **extra))
    make_server("127.0.0.1", port, app, threaded=True).serve_forever()
