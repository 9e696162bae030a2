"""The task worker as it runs in production (`flask --app wsgi worker`, a process of its
own): a sign-up made by the web app reaches the person by SMS without anything else
being run, with the queue in SQLite and in Redis."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from directory import create_app
from directory.common.time import utcnow
from directory.extensions import db
from directory.messages.models import Message
from tests.conftest import config_for_tests

ROOT = Path(__file__).resolve().parent.parent


def start_worker(app, sms, *args, **extra):
    """`flask worker` on the app's database and queue (the SQLite file the app writes
    to, or Redis when `extra` names it)."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    queue = app.extensions["huey"].storage
    env.update(PYTHONPATH=str(ROOT), SECRET_KEY="test-secret",
               DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], **sms.settings(), **extra)
    if getattr(queue, "filename", None):
        env["TASK_QUEUE_FILE"] = queue.filename
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker",
                             "--workers", "1", *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(check, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def sign_up_by_phone(app, factories):
    activity = factories.activity(title="Språkcafé", registration_required=True,
                                  default_capacity=5)
    occ = next(o for o in activity.occurrences if o.starts_at > utcnow() + timedelta(days=1))
    client = app.test_client()
    answer = client.post(f"/occurrences/{occ.id}/signup",
                         data={"name": "Amina", "contact": "070-123 45 67"})
    assert answer.status_code == 303
    return answer.headers["Location"]


def test_the_worker_process_delivers_a_sign_up_by_sms(app, factories, sms_provider):
    worker = start_worker(app, sms_provider)
    try:
        personal = sign_up_by_phone(app, factories)
        assert wait_for(lambda: sms_provider.messages), "no SMS arrived"
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    [text] = sms_provider.messages
    assert text["to"] == "+46701234567" and personal.split("?")[0] in text["message"]
    db.session.expire_all()
    assert db.session.scalar(db.select(Message.status)) == "sent"


def test_a_worker_without_the_periodic_work_takes_queued_tasks(app, factories,
                                                              sms_provider):
    """A second host's worker (`--no-periodic`): it delivers what is queued."""
    worker = start_worker(app, sms_provider, "--no-periodic")
    try:
        sign_up_by_phone(app, factories)
        assert wait_for(lambda: sms_provider.messages), "no SMS arrived"
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    assert len(sms_provider.messages) == 1


def test_the_worker_process_takes_its_work_from_redis(app, factories, sms_provider,
                                                      redis_url, tmp_path):
    shared = create_app(config_for_tests(app.config["SQLALCHEMY_DATABASE_URI"],
                                         REDIS_URL=redis_url,
                                         TASK_QUEUE_FILE=str(tmp_path / "unused.sqlite")))
    worker = start_worker(shared, sms_provider, REDIS_URL=redis_url)
    try:
        with shared.app_context():
            sign_up_by_phone(shared, factories)
        assert wait_for(lambda: sms_provider.messages), "no SMS arrived"
        # The queue was Redis: the SQLite queue file was never made.
        assert not (tmp_path / "unused.sqlite").exists()
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    assert len(sms_provider.messages) == 1


def test_a_commit_without_a_running_worker_is_delivered_when_it_starts(app, factories,
                                                                       sms_provider):
    sign_up_by_phone(app, factories)
    assert sms_provider.messages == []
    worker = start_worker(app, sms_provider)
    try:
        assert wait_for(lambda: sms_provider.messages), "no SMS arrived"
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    assert len(sms_provider.messages) == 1
