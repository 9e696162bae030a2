"""Arabic and right-to-left typography: lists and dates separated by the Arabic comma on
Arabic pages, card lines whose runs (time, organiser, place) are each isolated, fields
for an Arabic text laid out right to left, the manage links isolated, 24-hour times."""

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.common.i18n import list_join, list_separator, request_locale
from directory.common.templating import km_number, local_date

LANGUAGES = ["sv", "en", "ar", "fa", "so", "ti", "uk"]


def test_list_join_takes_the_separator_of_the_language(app):
    assert list_join(["Göteborg", "Angered"], "ar") == "Göteborg، Angered"
    assert list_join(["Göteborg", "Angered"], "sv") == "Göteborg, Angered"
    assert list_separator("ti") == "፣ "
    assert list_separator("fa").startswith("،")


def test_a_card_line_in_arabic(client, factories):
    org = factories.organisation(name="Fritidsgänget (Angered)")
    venue = factories.venue(name="Gårdstens träffpunkt", rooms=[("Lilla rummet", 12)])
    factories.activity(org, title="Läxhjälp", room=venue.rooms[0], street_address=None,
                       city=None)
    body = client.get("/activities?lang=ar").get_data(as_text=True)
    meta = re.search(r'<p class="meta">(.*?)</p>', body, re.S).group(1)
    runs = [run.strip() for run in meta.split("·")]
    # Time, organiser and place: three runs, each in a <bdi> of its own.
    assert len(runs) == 3 and all(r.startswith("<bdi>") and r.endswith("</bdi>")
                                  for r in runs), runs
    assert "<time" in runs[0] and "Fritidsgänget (Angered)" in runs[1]
    # The place's Swedish name is marked as Swedish, then the Arabic comma.
    assert 'Gårdstens träffpunkt</span>، Lilla rummet' in runs[2]
    assert re.search(r">\d\d:\d\d</time>–<time[^>]*>\d\d:\d\d<", runs[0])
    swedish = client.get("/activities?lang=sv").get_data(as_text=True)
    assert "Gårdstens träffpunkt, Lilla rummet" in swedish


def test_a_date_and_its_times_in_arabic(client, factories):
    activity = factories.activity(factories.organisation())
    occurrence = activity.occurrences.first()
    body = client.get(f"/occurrences/{occurrence.id}?lang=ar").get_data(as_text=True)
    when = re.search(r'<p class="when"><time[^>]*>(.*?)</time>', body).group(1)
    assert "، " in when and ", " not in when
    assert re.search(r"\d\d:\d\d–\d\d:\d\d$", when) and "م" not in when[-12:]


def test_fields_for_arabic_text_are_right_to_left(client, factories, auth):
    org = factories.organisation(name="Läxhjälpen Täby")
    factories.user(email="a@example.se", organisation=org)
    auth.login("a@example.se")
    body = client.get(f"/manage/organisations/{org.slug}/activities/new").get_data(
        as_text=True)
    for name in ("title_ar", "description_ar"):
        tag = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', body).group(0)
        assert 'dir="rtl"' in tag and 'lang="ar"' in tag, tag
    title = re.search(r'<input[^>]*name="title"[^>]*>', body).group(0)
    assert "dir=" not in title
    english = re.search(r'<input[^>]*name="title_en"[^>]*>', body).group(0)
    assert 'lang="en"' in english and 'dir="ltr"' in english


def test_the_manage_links_are_isolated(client, factories, auth):
    org = factories.organisation(name="Fritidsgänget (Angered)")
    activity = factories.activity(org, title="Läxhjälp (åk 7–9)")
    factories.user(email="a@example.se", organisation=org)
    auth.login("a@example.se")
    body = client.get(f"/manage/activities/{activity.id}/dates?lang=ar").get_data(
        as_text=True)
    crumb = re.search(r'<p class="breadcrumb">(.*?)</p>', body, re.S).group(1)
    assert "<bdi>Fritidsgänget (Angered)</bdi>" in crumb
    assert "<bdi>Läxhjälp (åk 7–9)</bdi>" in crumb
    runs = [run.strip() for run in crumb.split(" · ")]
    assert len(runs) >= 2 and all(run.startswith("<bdi>") for run in runs), runs


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(km=st.floats(0, 60, allow_nan=False), lang=st.sampled_from(LANGUAGES))
def test_a_distance_is_written_as_babel_writes_it(app, km, lang):
    """The distance on a card (km_number, formatted once per locale and tenth) is what
    Babel writes for the same float: half to even from its shortest decimal."""
    with app.test_request_context(f"/activities?lang={lang}"):
        app.preprocess_request()
        assert km_number(km) == format_decimal(km, "0.0", locale=request_locale())


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.dates(), fmt=st.sampled_from(["full", "d MMM y", "medium"]),
       lang=st.sampled_from(LANGUAGES))
def test_a_date_is_written_as_babel_writes_it(app, day, fmt, lang):
    moment = datetime.combine(day, time(12), tzinfo=ZoneInfo("Europe/Stockholm"))
    with app.test_request_context(f"/activities?lang={lang}"):
        app.preprocess_request()
        assert local_date(moment, fmt) == format_date(day, fmt, locale=request_locale())
