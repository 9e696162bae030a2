"""The production server's logs hold no secret or personal data: gunicorn with the project's
configuration serves the flows that carry tokens, names and contacts, and every line it
wrote is read afterwards."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import requests

from directory.accounts.services import make_password_token
from directory.calendars.partners import create_partner, create_subscription
from directory.common.time import utcnow
from directory.extensions import db
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
LINK = re.compile(r"/signups/[A-Za-z0-9_-]+$")
NAME, CONTACT = "Zyxwvu Qwertyson", "zyxwvu.hemlig@example.se"
PHONE = "070-987 65 43"


def serve(app, log_path):
    port = free_port()
    env = dict(os.environ, PORT=str(port), HOST="127.0.0.1", WEB_CONCURRENCY="1",
               DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY="test-secret",
               RATELIMIT_ENABLED="false", FLASK_SESSION_COOKIE_SECURE="false",
               PYTHONPATH=str(ROOT))
    log = open(log_path, "w")
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py",
                                "wsgi:app"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(base + "/healthz", timeout=2)
            return process, log, base
        except (requests.ConnectionError, requests.Timeout):  # still starting
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(open(log_path).read())
            time.sleep(0.2)


def token_of(page):
    return CSRF.search(page.text).group(1)


def test_gunicorns_log_holds_no_token_name_or_contact(app, factories, tmp_path):
    activity = factories.activity(registration_required=True, default_capacity=10)
    occurrence = next(o for o in activity.occurrences if o.starts_at > utcnow())
    coordinator = factories.user(email="samordnare.hemlig@example.se", role="staff")
    partner = create_partner("Arbetsförmedlingen", coordinator)
    _, feed = create_subscription(partner, "Arbete", {}, False, coordinator)
    password_token = make_password_token(coordinator)
    db.session.commit()

    process, log, base = serve(app, tmp_path / "gunicorn.log")
    try:
        browser = requests.Session()
        form = browser.get(f"{base}/occurrences/{occurrence.id}/signup")
        answer = browser.post(f"{base}/occurrences/{occurrence.id}/signup",
                              data={"csrf_token": token_of(form), "name": NAME,
                                    "contact": CONTACT})
        personal = "/" + answer.url.split("/", 3)[3]  # the redirect to the personal page
        assert LINK.match(personal)
        assert browser.get(base + personal).status_code == 200
        api = requests.post(f"{base}/api/v1/occurrences/{occurrence.id}/signups",
                            json={"name": NAME + " Två", "contact": PHONE})
        assert api.status_code == 201
        assert requests.get(f"{base}/feeds/{feed}.ics").status_code == 200
        assert browser.get(f"{base}/account/password/{password_token}").status_code == 200
        assert browser.get(f"{base}/activities", params={"q": NAME, "near": CONTACT}) \
            .status_code == 200
        login = browser.get(f"{base}/login")
        browser.post(f"{base}/login", data={"csrf_token": token_of(login),
                                            "email": coordinator.email, "password": "fel"})
    finally:
        process.terminate()
        process.wait(30)
        log.close()
    written = (tmp_path / "gunicorn.log").read_text()
    assert f"/occurrences/{occurrence.id}/signup" in written  # the access log is on
    secrets = [personal.rsplit("/", 1)[1], feed, password_token, NAME, "Zyxwvu", CONTACT,
               "hemlig", "0709876543", "987 65 43", coordinator.email]
    leaked = [s for s in secrets if s in written or requests.utils.quote(s) in written]
    assert leaked == []
