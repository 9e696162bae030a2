"""With CSRF protection on, as in production: every form POST without a valid token is 400."""

import pytest

from tests.test_authorization_matrix import MATRIX, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.app_config(WTF_CSRF_ENABLED=True)


def form_posts(app):
    """(endpoint, path template) of every route that takes a POST, except the JSON API."""
    posts = []
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and not rule.endpoint.startswith("api."):
            posts.append((rule.endpoint, MATRIX[rule.endpoint][1]))
    return sorted(posts)


def test_every_form_post_needs_the_token(app, client, world, auth):  # noqa: F811
    assert auth.login("staff@example.se").status_code == 303
    posts = form_posts(app)
    assert len(posts) >= 10
    for endpoint, template in posts:
        path = template.format(**world).split("?")[0]
        missing = client.post(path, data={"reason": "x", "email": "a@example.se"})
        wrong = client.post(path, data={"csrf_token": "wrong", "reason": "x"})
        assert (missing.status_code, wrong.status_code) == (400, 400), endpoint


def test_login_with_the_forms_token_works(client, factories, auth):
    factories.user()
    assert auth.login("medlem@example.se").status_code == 303
