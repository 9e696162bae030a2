"""Limits that fit the people, exact across two server processes sharing a real Redis:
a meeting place's Wi-Fi signs fifty people up, one contact cannot flood, a guessed account
locks without locking the others."""

import pytest
import requests

from directory.common.time import utcnow


@pytest.fixture
def two_processes(server_processes, redis_url):
    """Two server processes on the same database, counting limits in the same Redis."""
    return server_processes(2, REDIS_URL=redis_url)


def test_fifty_people_on_one_wifi_sign_up_through_both_processes(two_processes, factories):
    activity = factories.activity(registration_required=True, default_capacity=100)
    occurrence = next(o for o in activity.occurrences if o.starts_at > utcnow())
    answers = [requests.post(f"{two_processes[i % 2]}/occurrences/{occurrence.id}/signup",
                             data={"name": f"Deltagare {i}", "contact": f"p{i}@example.se"},
                             allow_redirects=False, timeout=30) for i in range(50)]
    # Each lands on its own personal page (a redirect after the POST).
    assert [a.status_code for a in answers] == [303] * 50
    assert len({a.headers["Location"] for a in answers}) == 50


def test_one_contact_is_limited_across_processes(two_processes, factories):
    activity = factories.activity(registration_required=True, default_capacity=100)
    dates = [o for o in activity.occurrences if o.starts_at > utcnow()]
    answers = []
    for i in range(12):  # ten an hour for one contact, however it arrives
        base = two_processes[i % 2]
        url = f"{base}/api/v1/occurrences/{dates[i % len(dates)].id}/signups"
        answers.append(requests.post(url, json={"name": "Samma", "contact": "070-111 22 33"},
                                     timeout=30).status_code)
    assert 429 not in answers[:10] and answers[10:] == [429, 429]
    other = requests.post(f"{two_processes[0]}/api/v1/occurrences/{dates[0].id}/signups",
                          json={"name": "Annan", "contact": "070-444 55 66"}, timeout=30)
    assert other.status_code == 201


def test_a_guessed_account_locks_but_no_other_account_does(two_processes, factories):
    factories.user(email="gissad@example.se")
    factories.user(email="granne@example.se")
    wrong = [requests.post(f"{two_processes[i % 2]}/login",
                           data={"email": "gissad@example.se", "password": "fel gissning"},
                           allow_redirects=False, timeout=30).status_code for i in range(11)]
    assert wrong[:10] == [401] * 10 and wrong[10] == 429
    # The neighbour on the same Wi-Fi logs in with the right password, in either process.
    for base in two_processes:
        right = requests.post(f"{base}/login", data={"email": "granne@example.se",
                                                     "password": "ett långt lösenord"},
                              allow_redirects=False, timeout=30)
        assert right.status_code == 303
