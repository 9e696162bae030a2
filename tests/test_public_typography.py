"""Times, dates and weeks written as people read them: 24-hour clocks everywhere (map
pop-ups too), English dates as in Britain, and "vecka 49" rather than "2026-W49"."""

import json
import re
from datetime import timedelta

from directory.common.time import local_today

POINTS = re.compile(r'<script type="application/json" id="map-points">(.*?)</script>', re.S)
MONTHS = ("January|February|March|April|May|June|July|August|September|October|"
          "November|December")


def map_details(body):
    points = json.loads(POINTS.search(body).group(1))["points"]
    return [item["detail"] for point in points for item in point["items"]]


def test_map_pop_ups_use_a_24_hour_clock_in_every_language(client, factories):
    venue = factories.venue()
    factories.activity(title="Kvällsfika", room=venue.rooms[0])  # 17:00–18:30
    for lang in ("sv", "en", "ar"):
        details = map_details(client.get("/activities", headers={
            "Accept-Language": lang}).get_data(as_text=True))
        assert details, lang
        for detail in details:
            # The time part is the clock alone: no "5:00 PM", no "5:00 م".
            assert detail.split(" · ")[-1] == "17:00–18:30", (lang, detail)


def test_english_dates_are_written_as_in_britain(client, factories):
    activity = factories.activity(title="Läxhjälp")
    occurrence = list(activity.occurrences)[-1]
    body = client.get(f"/occurrences/{occurrence.id}?lang=en").get_data(as_text=True)
    when = re.search(r'<p class="when"><time[^>]*>(.*?)</time>', body).group(1)
    assert re.search(rf"\b\d{{1,2}} ({MONTHS}) \d{{4}}, 17:00–18:30$", when), when
    assert not re.search(rf"({MONTHS}) \d{{1,2}}, \d{{4}}", body)


def test_week_headings_say_week_49_not_an_iso_code(client, factories):
    venue = factories.venue()
    year, week, _ = local_today().isocalendar()
    body = client.get(f"/venues/{venue.slug}/schedule?week={year}-W{week:02d}&lang=en"
                      ).get_data(as_text=True)
    assert f"<h1>Week {week} at Mötesplats Kemistvägen</h1>" in body
    assert f"Rooms and days, week {week}</caption>" in body
    assert f"{year}-W{week:02d} at" not in body
    swedish = client.get(f"/venues/{venue.slug}/schedule?lang=sv").get_data(as_text=True)
    assert f"<h1>Vecka {week} på Mötesplats Kemistvägen</h1>" in swedish


def test_a_week_of_another_year_names_its_year(client, factories):
    venue = factories.venue()
    next_year = (local_today() + timedelta(days=400)).isocalendar()[0]
    body = client.get(f"/venues/{venue.slug}/schedule?week={next_year}-W02&lang=en"
                      ).get_data(as_text=True)
    assert f"<h1>Week 2 ({next_year}) at Mötesplats Kemistvägen</h1>" in body
