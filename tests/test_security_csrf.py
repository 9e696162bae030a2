"""With CSRF protection on, as in production: a POST without a valid token is refused."""

import re

import pytest

pytestmark = pytest.mark.app_config(WTF_CSRF_ENABLED=True)

FORM_POSTS = ["/login", "/logout"]


@pytest.mark.parametrize("path", FORM_POSTS)
def test_post_without_token_is_400(client, path):
    assert client.post(path, data={"email": "a@example.se", "password": "x" * 12}
                       ).status_code == 400


@pytest.mark.parametrize("path", FORM_POSTS)
def test_post_with_wrong_token_is_400(client, path):
    client.get("/login")
    assert client.post(path, data={"csrf_token": "wrong", "email": "a@example.se",
                                   "password": "x" * 12}).status_code == 400


def test_login_with_the_forms_token_works(client, factories):
    factories.user()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"csrf_token": token, "email": "medlem@example.se",
                                           "password": "ett långt lösenord"})
    assert response.status_code == 303
