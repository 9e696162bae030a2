"""Failed-login limits shared by every process through Redis when REDIS_URL is set."""

from directory import create_app
from directory.extensions import db
from tests.conftest import AuthActions, FreshContextClient, config_for_tests, make_user


def _app(uri, redis_url=None):
    extra = {"RATELIMIT_ENABLED": True}
    if redis_url:
        extra["REDIS_URL"] = redis_url
    app = create_app(config_for_tests(uri, **extra))
    app.test_client_class = FreshContextClient
    return app


def _fail(app, times):
    auth = AuthActions(app.test_client())
    return [auth.login("medlem@example.se", "fel lösenord här").status_code
            for _ in range(times)]


def test_failures_in_one_process_count_in_another_through_redis(app, redis_url):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    make_user(email="medlem@example.se")
    first = _app(uri, redis_url)
    with first.app_context():
        assert _fail(first, 10) == [401] * 10
    second = _app(uri, redis_url)  # a new process: new limiter storage, same Redis
    with second.app_context():
        assert _fail(second, 1) == [429]
    db.session.remove()


def test_memory_storage_is_per_process(app):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    make_user(email="medlem@example.se")
    first = _app(uri)
    with first.app_context():
        assert _fail(first, 11)[-1] == 429
    second = _app(uri)
    with second.app_context():
        assert _fail(second, 1) == [401]
