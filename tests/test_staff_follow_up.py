"""The coordinators' follow-up and downloads: the figures agree with a plain-SQL reading
of the rows, a municipal coordinator sees and downloads only their municipality, and the
downloads open in openpyxl and as semicolon CSV with no formula in them."""

import csv
import io
from collections import defaultdict
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import bindparam, text

from directory.common.time import local_today, to_local, utcnow
from directory.common.types import UTCDateTime
from directory.extensions import db
from directory.staff.follow_up import (date_figures, organisation_figures, period_for,
                                       room_figures)
from directory.venues.models import Closure

EVIL = '=HYPERLINK("http://evil.example","klicka")'


@pytest.fixture
def world(factories):
    """Täby: two organisations (one named like a formula), a meeting place with bookings,
    activities in focus areas with sign-ups, a cancelled date and attendance; Göteborg:
    one organisation, activity and meeting place of its own."""
    taby, goteborg = factories.municipality("taby"), factories.municipality("goteborg")
    org_a = factories.organisation(name="Språkvänner", municipality=taby)
    org_evil = factories.organisation(name=EVIL, municipality=taby)
    org_b = factories.organisation(name="Göteborgs läxhjälp", municipality=goteborg)
    venue = factories.venue(municipality=taby, rooms=[("Stora salen", 40), ("Lilla", 8)])
    venue_b = factories.venue(name="Hammarkullen", slug="hammarkullen",
                              municipality=goteborg, rooms=[("Hörnan", 20)])
    a1 = factories.activity(org_a, title="Läxhjälp", default_capacity=3, registration_required=True,
                            focus=["arbete", "utbildning"], targets=["vuxna"])
    a2 = factories.activity(org_evil, title="Språkcafé", default_capacity=2,
                            registration_required=True,
                            focus=["utbildning"])
    b1 = factories.activity(org_b, title="Fika", default_capacity=4, focus=["halsa"])
    dates = {a: [o for o in a.occurrences if o.starts_at > utcnow()] for a in (a1, a2, b1)}
    for i, occ in enumerate(dates[a1][:3]):
        for n in range(4):  # three places: one waits
            factories.signup(occ, f"P{n}", f"p{i}{n}@example.se")
    dates[a1][1].attended_count = 2
    dates[a1][2].cancel("Sjuk")
    dates[a2][0].capacity = 10
    factories.signup(dates[a2][0], "Amina", "amina@example.se")
    dates[a2][0].attended_count = 1
    dates[b1][0].attended_count = 4
    db.session.commit()
    today = local_today()
    for day in (today + timedelta(days=2), today + timedelta(days=9)):
        factories.booking(venue.rooms[0], org_a, day, status="approved")
    factories.booking(venue.rooms[1], org_evil, today + timedelta(days=3), status="pending")
    factories.booking(venue_b.rooms[0], org_b, today + timedelta(days=4), status="approved")
    return dict(taby=taby, goteborg=goteborg, org_a=org_a, org_b=org_b, venue=venue)


def _bound(name):
    return bindparam(name, type_=UTCDateTime())


def _moment(value):
    """A timestamp as a plain SQL row gives it (a string on SQLite)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return to_local(value)


def _recount(period, now, municipality_id=None):
    """Every grouping's figures from the occurrence rows, added up in Python."""
    rows = db.session.execute(text(
        "SELECT o.id, o.activity_id, o.status, o.starts_at, "
        " CASE WHEN o.starts_at < :now THEN 1 ELSE 0 END AS started, "
        " COALESCE(o.capacity, a.default_capacity, 0), o.confirmed_count, "
        " o.waitlist_count, o.attended_count, a.organisation_id, a.municipality_id, "
        " af.focus_area_id, at.target_group_id "
        "FROM occurrence o JOIN activity a ON a.id = o.activity_id "
        "LEFT JOIN activity_focus_area af ON af.activity_id = a.id "
        "LEFT JOIN activity_target_group at ON at.activity_id = a.id "
        "WHERE o.starts_at >= :start AND o.starts_at < :end").bindparams(
            _bound("now"), _bound("start"), _bound("end")),
        {"now": now, "start": period.start, "end": period.end}).all()
    keys = {"focus": lambda r: r[11], "target": lambda r: r[12],
            "organisation": lambda r: r[9], "municipality": lambda r: r[10],
            "month": lambda r: _moment(r[3]).strftime("%Y-%m")}
    result = {}
    for by, key in keys.items():
        seen, groups = set(), defaultdict(lambda: [set(), 0, 0, 0, 0, 0, 0, 0])
        for (occ_id, activity_id, status, _, started, places, confirmed, waiting,
             attended, *_rest), r in ((r, r) for r in rows):
            # The joins repeat a date once per focus area and target group.
            if ((municipality_id is not None and r[10] != municipality_id)
                    or (occ_id, key(r)) in seen):
                continue
            seen.add((occ_id, key(r)))
            g = groups[key(r)]
            g[0].add(activity_id)
            if status == "cancelled":
                g[2] += 1
                continue
            g[1] += started
            g[3] += places
            g[4] += confirmed
            g[5] += waiting
            if attended is not None:
                g[6] += attended
                g[7] += places
        result[by] = {k: (len(g[0]), g[1], g[2], g[3], g[4], g[5], g[6],
                          round(g[6] / g[7], 4) if g[7] else None)
                      for k, g in groups.items()}
    return result


def _figures(by, period, now, municipality_id=None):
    return {f.key: (f.activities, f.held, f.cancelled, f.places, f.signups, f.waiting,
                    f.attended, f.attended_share)
            for f in date_figures(by, period, municipality_id, now)}


def test_the_figures_equal_a_plain_sql_recount(app, world):
    today = local_today()
    period = period_for("dates", today - timedelta(days=14), today + timedelta(days=120))
    now = utcnow()
    for municipality_id in (None, world["taby"].id):
        expected = _recount(period, now, municipality_id)
        for by in ("focus", "target", "organisation", "municipality", "month"):
            assert _figures(by, period, now, municipality_id) == expected[by], by
    # Something to add up: sign-ups, a waiting list, a cancelled date, attendance.
    totals = _figures("municipality", period, now, world["taby"].id)[world["taby"].id]
    assert totals[2] == 1 and totals[4] >= 7 and totals[5] >= 2 and totals[6] == 3
    # A month, a quarter and a year hold what they say.
    assert period_for("quarter", today).first.month in (1, 4, 7, 10)
    assert period_for("year", today).last == today.replace(month=12, day=31)


def test_room_hours_and_organisations_equal_a_recount(app, world):
    today = local_today()
    period = period_for("dates", today, today + timedelta(days=6))
    rows = db.session.execute(text(
        "SELECT r.venue_id, u.starts_at, u.ends_at FROM room_use u "
        "JOIN room r ON r.id = u.room_id "
        "WHERE u.starts_at < :end AND u.ends_at > :start").bindparams(
            _bound("start"), _bound("end")),
        {"start": period.start, "end": period.end}).all()
    used = defaultdict(float)
    for venue_id, starts_at, ends_at in rows:
        starts, ends = _moment(starts_at), _moment(ends_at)
        used[venue_id] += (min(ends, to_local(period.end)) -
                           max(starts, to_local(period.start))).total_seconds() / 3600
    # The meeting place is closed the last two days of the seven, its small room one more.
    venue = world["venue"]
    db.session.add_all([Closure(venue_id=venue.id, starts_on=today + timedelta(days=5),
                                ends_on=today + timedelta(days=30), reason="Städning"),
                        Closure(venue_id=venue.id, room_id=venue.rooms[1].id,
                                starts_on=today, ends_on=today, reason="Målning")])
    db.session.commit()
    figures = {r.venue_id: r for r in room_figures(period, None)}
    assert set(figures) >= set(used)
    for venue_id, figure in figures.items():
        assert figure.hours_used == pytest.approx(used.get(venue_id, 0), abs=0.01)
        # Open 08–22 every day of the seven, in every active room, when not closed.
        if venue_id != venue.id:
            assert figure.hours_open == 14 * 7 * figure.rooms
    taby = figures[venue.id]
    assert taby.hours_open == 14 * 5 * 2 - 14
    assert taby.hours_used == 2 and taby.occupancy == pytest.approx(2 / 126, abs=1e-4)
    assert [r.venue_id for r in room_figures(period, world["goteborg"].id)] != [taby.venue_id]

    year = period_for("year", today)
    counted = dict(db.session.execute(text(
        "SELECT m.name, COUNT(*) FROM organisation o "
        "JOIN municipality m ON m.id = o.municipality_id "
        "WHERE o.created_at >= :start AND o.created_at < :end GROUP BY m.name").bindparams(
            _bound("start"), _bound("end")), {"start": year.start, "end": year.end}).all())
    assert {name: new for name, new, _ in organisation_figures(year, None)} == counted
    assert [name for name, *_ in organisation_figures(year, world["taby"].id)] == ["Täby"]


def _csv(response):
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def _xlsx(response):
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    return [[c.value for c in row] for row in sheet.iter_rows()], sheet


def test_a_municipal_coordinator_sees_and_downloads_only_their_municipality(
        client, auth, factories, world):
    factories.user(email="gbg@example.se", role="staff", municipality=world["goteborg"])
    auth.login("gbg@example.se")
    taby = world["taby"].id
    for url in ("/staff/follow-up", f"/staff/follow-up?municipality={taby}&period=year"):
        page = client.get(url).get_data(as_text=True)
        assert "Göteborgs läxhjälp" in page and "Språkvänner" not in page
        assert 'role="img"' in page and "<desc" in page
    for table in ("organisations", "activities", "dates", "bookings"):
        for fmt in ("csv", "xlsx"):
            response = client.get(f"/staff/register/{table}.{fmt}?municipality={taby}"
                                  "&period=year")
            assert response.status_code == 200
            rows = _csv(response) if fmt == "csv" else _xlsx(response)[0]
            cells = " ".join(str(c) for row in rows[1:] for c in row)
            assert "Språkvänner" not in cells and "Stora salen" not in cells, table
            assert "Täby" not in cells, table
    rows = _csv(client.get("/staff/follow-up/organisation.csv?period=year"))
    assert [r[0] for r in rows[1:]] == ["Göteborgs läxhjälp"]


def test_downloads_open_and_never_run_a_formula(client, auth, factories, world):
    factories.user(email="lan@example.se", role="staff")
    auth.login("lan@example.se")
    rows = _csv(client.get("/staff/register/organisations.csv"))
    names = [r[0] for r in rows[1:]]
    assert "'" + EVIL in names and EVIL not in names
    status = {r[0]: r[4] for r in rows[1:]}
    assert status["Språkvänner"] == "Verified"  # a word, not the code
    values, sheet = _xlsx(client.get("/staff/register/organisations.xlsx"))
    assert "'" + EVIL in [r[0] for r in values[1:]]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)

    follow = _csv(client.get("/staff/follow-up/organisation.csv?period=year"))
    assert follow[0][0] == "Organisation" and "'" + EVIL in [r[0] for r in follow[1:]]
    shares = [r[-1] for r in follow[1:] if r[-1]]
    assert shares and all("." not in s for s in shares)  # a decimal comma
    values, _ = _xlsx(client.get("/staff/follow-up/month.xlsx?period=year"))
    assert values[0][0] == "Month" and all(isinstance(r[1], int) for r in values[1:])
    dates = _csv(client.get("/staff/register/dates.csv?period=year"))
    assert dates[1][2].count(":") == 1 and "+" not in dates[1][2]  # local, no seconds


@pytest.mark.parametrize("lang", ["sv", "en", "ar"])
def test_the_page_in_every_language(client, auth, factories, world, lang):
    factories.user(email="lan@example.se", role="staff")
    auth.login("lan@example.se")
    client.get(f"/language/{lang}?next=/")
    page = client.get("/staff/follow-up?period=year").get_data(as_text=True)
    assert page.count('role="img"') == 8 and page.count("<table") == 8
    assert 'href="/staff/follow-up"' in page  # in the navigation
    if lang == "ar":
        assert 'dir="rtl"' in page and '<text x="410"' in page  # the bars mirror
    else:
        assert '<text x="190"' in page and '<text x="410"' not in page


def test_by_town_or_district_adds_up_to_the_whole(app, client, auth, factories, world):
    from directory.activities.models import Activity
    gardsten = factories.activity(world["org_b"], title="Fika i Gårdsten", focus=["halsa"])
    gardsten = db.session.get(Activity, gardsten.id)
    gardsten.latitude, gardsten.longitude = 57.8048, 12.0288
    db.session.commit()
    today = local_today()
    period = period_for("dates", today - timedelta(days=14), today + timedelta(days=120))
    now = utcnow()
    districts = _figures("district", period, now)
    assert districts["Gårdsten"][0] == 1  # one activity meets there
    whole = _figures("municipality", period, now)
    for column in range(1, 7):  # held, cancelled, places, sign-ups, waiting, attended
        assert sum(d[column] for d in districts.values()) == \
            sum(m[column] for m in whole.values()), column
    auth.login(factories.user(email="lan@example.se", role="staff").email)
    page = client.get(f"/staff/follow-up?period=year&from={today.isoformat()}")
    assert "Town or district" in page.get_data(as_text=True)
    assert "Gårdsten" in page.get_data(as_text=True)
    download = client.get(f"/staff/follow-up/district.csv?period=year&from={today}")
    assert download.status_code == 200 and "Gårdsten" in download.get_data(as_text=True)


def test_a_long_table_shows_its_largest_rows_and_downloads_them_all(client, auth, factories,
                                                                    world):
    from directory.staff.views import PAGE_ROWS
    taby = world["taby"]
    for n in range(PAGE_ROWS + 5):
        factories.activity(factories.organisation(name=f"Förening {n:03d}",
                                                  municipality=taby), title=f"Fika {n}")
    auth.login(factories.user(email="lan@example.se", role="staff").email)
    today = local_today()
    page = client.get(f"/staff/follow-up?period=year&from={today}").get_data(as_text=True)
    assert f"The {PAGE_ROWS} largest of" in page
    download = client.get(f"/staff/follow-up/organisation.csv?period=year&from={today}")
    names = [row[0] for row in csv.reader(io.StringIO(download.get_data(as_text=True)
                                                      .lstrip("\ufeff")), delimiter=";")]
    assert len([n for n in names if n.startswith("Förening ")]) == PAGE_ROWS + 5
