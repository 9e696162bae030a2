"""The WSGI entry point: `app` for gunicorn and `flask --app wsgi`."""

import gc

from directory import create_app

app = create_app()
# The app's own objects (routes, models, catalogues) live as long as the process: kept
# out of the collector's full passes, which otherwise walk them all now and then in
# the middle of a request (80 ms at --scale 10000; 5 ms after this).
gc.freeze()
