"""Pages say what is true now: a date that has passed takes no sign-ups, a full date
offers the waiting list, and a meeting place shows what is still to come this week and
which days it is closed."""

from datetime import time, timedelta

import pytest

from directory.activities.models import Occurrence
from directory.common.time import local_today, to_local, utcnow
from directory.extensions import db
from directory.venues.models import OpeningHours


@pytest.fixture
def signup_activity(factories):
    return factories.activity(title="Läxhjälp", registration_required=True,
                              default_capacity=2)


def coming(activity):
    return next(o for o in activity.occurrences if o.starts_at > utcnow())


def moved_to_the_past(occurrence, days=3):
    occurrence.starts_at = utcnow() - timedelta(days=days)
    occurrence.ends_at = occurrence.starts_at + timedelta(hours=1)
    db.session.commit()
    return occurrence


def test_a_date_with_places_says_how_many_and_offers_sign_up(client, signup_activity):
    occ = coming(signup_activity)
    body = client.get(f"/occurrences/{occ.id}").get_data(as_text=True)
    assert "2 places left" in body
    assert f'href="/occurrences/{occ.id}/signup">Sign up</a>' in body


def test_a_past_date_says_it_has_passed_and_takes_no_sign_ups(client, signup_activity):
    occ = moved_to_the_past(coming(signup_activity))
    body = client.get(f"/occurrences/{occ.id}").get_data(as_text=True)
    assert "This date has already started or passed." in body
    assert "places left" not in body and "place left" not in body
    assert f"/occurrences/{occ.id}/signup" not in body
    assert "Add to my calendar" not in body
    form = client.get(f"/occurrences/{occ.id}/signup").get_data(as_text=True)
    assert "This date has already started or passed." in form
    assert "places left" not in form
    assert 'name="contact"' not in form and "<form method=\"post\" class=\"form\"" not in form


def test_a_past_drop_in_date_says_it_has_passed(client, factories):
    activity = factories.activity(title="Språkcafé", registration_required=False)
    occ = moved_to_the_past(coming(activity))
    body = client.get(f"/occurrences/{occ.id}").get_data(as_text=True)
    assert "This date has already started or passed." in body


def test_a_full_date_offers_the_waiting_list_never_zero_places(client, factories,
                                                              signup_activity):
    occ = coming(signup_activity)
    factories.signup(occ, name="Amina", contact="070-111 11 11")
    factories.signup(occ, name="Omar", contact="070-222 22 22")
    body = client.get(f"/occurrences/{occ.id}").get_data(as_text=True)
    assert "0 places left" not in body
    assert "This date is full." in body and "You can join the waiting list." in body
    assert f'href="/occurrences/{occ.id}/signup">Join the waiting list</a>' in body
    form = client.get(f"/occurrences/{occ.id}/signup").get_data(as_text=True)
    assert "0 places left" not in form and "This date is full." in form
    assert '<button type="submit">Join the waiting list</button>' in form


def test_people_already_waiting_make_a_date_full(client, factories, signup_activity):
    occ = coming(signup_activity)
    for n in range(4):
        factories.signup(occ, name="Amina", contact=f"070-111 11 1{n}")
    # One place more, counted only: the two who wait are still first in line for it.
    db.session.execute(db.update(Occurrence).where(Occurrence.id == occ.id)
                       .values(capacity=3))
    db.session.commit()
    body = client.get(f"/occurrences/{occ.id}").get_data(as_text=True)
    assert "This date is full." in body and "1 place left" not in body


def test_a_cancelled_date_shows_no_sign_up_form(client, signup_activity):
    occ = coming(signup_activity)
    occ.status = "cancelled"
    db.session.commit()
    form = client.get(f"/occurrences/{occ.id}/signup").get_data(as_text=True)
    assert "This date is cancelled." in form and 'name="contact"' not in form


def test_the_sign_up_form_links_to_the_privacy_notice(client, signup_activity):
    form = client.get(f"/occurrences/{coming(signup_activity).id}/signup")
    assert 'href="/privacy"' in form.get_data(as_text=True)


def test_venue_page_lists_no_day_of_this_week_already_over(client, factories):
    venue = factories.venue()
    today = local_today()
    monday = today - timedelta(days=today.weekday())
    activity = factories.activity(title="Kvällsöppet", room=venue.rooms[0],
                                  recurrence="weekly", starts_on=monday,
                                  weekdays="0,1,2,3,4,5,6", until=monday + timedelta(days=6),
                                  start_time=time(20), end_time=time(21))
    body = client.get(f"/venues/{venue.slug}").get_data(as_text=True)
    now = utcnow()
    shown = [o for o in activity.occurrences if f'id="day-{to_local(o.starts_at).date()}"'
             in body]
    assert all(o.ends_at > now for o in shown)
    assert len(shown) == sum(1 for o in activity.occurrences
                             if o.ends_at > now and to_local(o.starts_at).date() <= monday
                             + timedelta(days=6))
    for day in range((today - monday).days):
        assert f'id="day-{monday + timedelta(days=day)}"' not in body


def test_venue_opening_hours_show_every_day_closed_ones_as_closed(client, factories):
    venue = factories.venue()
    for oh in [oh for oh in venue.opening_hours if oh.weekday in (5, 6)]:
        db.session.delete(oh)
    db.session.add(OpeningHours(venue=venue, weekday=5, opens=time(14), closes=time(16)))
    db.session.add(OpeningHours(venue=venue, weekday=5, opens=time(9), closes=time(12)))
    db.session.commit()
    body = client.get(f"/venues/{venue.slug}").get_data(as_text=True)
    table = body[body.index('<table class="hours">'):body.index("</table>")]
    assert table.count('<th scope="row">') == 7
    assert '<th scope="row">Sunday</th><td>Closed</td>' in table
    assert '<th scope="row">Monday</th><td>08:00–22:00</td>' in table
    assert '<th scope="row">Saturday</th><td>09:00–12:00<br>14:00–16:00</td>' in table
