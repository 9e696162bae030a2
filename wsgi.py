"""The WSGI entry point: `app` for gunicorn and `flask --app wsgi`."""

from directory import create_app

app = create_app()
