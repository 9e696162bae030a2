"""Browser tests: the app served on 127.0.0.1 with the demo data, driven in Debian's
Chromium by Playwright."""

import functools
import os
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from directory import create_app
from directory.extensions import db
from tests.conftest import PASSWORD, config_for_tests

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app, migrated as `flask db upgrade` does, with the demo loaded."""
    from directory.demo.seed import seed_demo
    path = tmp_path_factory.mktemp("live") / "live.sqlite"
    app = create_app(config_for_tests("sqlite:///" + str(path), WTF_CSRF_ENABLED=True))
    with app.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.live_url = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()
    server.server_close()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing; make test installs it")
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    # The site's own Content-Security-Policy holds: axe is evaluated through the
    # browser's debugging protocol, which a page's CSP does not govern.
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def url(live_server):
    return lambda path: live_server.live_url + path


def log_in(page, url, email, lang="sv"):
    """Log in through the login form in `lang`, as a person would; waits for /account."""
    page.goto(url(f"/language/{lang}?next=/login"))
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url("**/account")


@functools.lru_cache(maxsize=1)
def _axe_source():
    return AXE.read_text("utf-8")


def run_axe(page):
    """axe-core's WCAG 2.1 A and AA rules on the page; returns the violations."""
    page.evaluate(_axe_source())
    return page.evaluate("""async () => {
        const result = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return result.violations.map(v => ({id: v.id, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
    }""")


def axe_report(violations):
    return "\n".join(f"{v['id']}: {v['help']} at {v['nodes']}" for v in violations)


