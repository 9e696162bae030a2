"""Loading the demo municipality, or N organisations for benchmarks."""

import random
from bisect import bisect_right
from dataclasses import replace
from datetime import time, timedelta

from sqlalchemy import func, select, text

from ..activities.models import (Activity, Occurrence, activity_focus_area,
                                 activity_target_group)
from ..activities.schedule import Schedule, local_starts, slots
from ..activities.materialising import horizon_end, materialise_occurrences
from ..common.db import is_postgres
from ..common.text import search_blob, slugify
from ..common.time import local_today, utcnow
from ..extensions import db
from ..organisations.models import Organisation, organisation_focus_area
from ..taxonomy.models import FocusArea, TargetGroup
from ..taxonomy.services import ensure_default_terms, get_or_create_municipality
from ..venues.models import Closure, OpeningHours, Room, Venue
from . import data
from .bulk import built_after, insert_rows


def _clock(text):
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _org_number(rng):
    """A made-up organisationsnummer (starting 80: ideell förening) with a valid check digit."""
    digits = [8, 0] + [rng.randint(0, 9) for _ in range(7)]
    total = 0
    for i, d in enumerate(digits):
        n = d * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    digits.append((10 - total % 10) % 10)
    text = "".join(map(str, digits))
    return f"{text[:6]}-{text[6:]}"


def database_is_empty():
    return not db.session.scalar(select(func.count()).select_from(Organisation))


def seed_demo(seed=2026):
    """Load the demo: venues with rooms, ~40 organisations and their weekly activities."""
    rng = random.Random(seed)
    ensure_default_terms()
    kommuner = _municipalities()
    today = local_today()
    rooms_by_kommun = _demo_venues(rng, kommuner, today)
    organisations = _demo_organisations(rng, kommuner)
    _demo_activities(rng, organisations, rooms_by_kommun, today)
    _cancel_first_coming_date()
    db.session.flush()


def _municipalities():
    """The demo's municipalities by slug, made when missing."""
    return {slug: get_or_create_municipality(code, slug, name, county)
            for code, slug, name, county in data.MUNICIPALITIES}


def _demo_venues(rng, kommuner, today):
    """The meeting places with their rooms, hours and holiday closures. Returns the
    rooms by municipality slug."""
    rooms_by_kommun = {}
    for (slug, name, kommun, street, area_ix, operator, rooms, hours, description,
         accessibility) in data.VENUES:
        area = data.AREAS[area_ix]
        venue = Venue(slug=slug, name=name, municipality=kommuner[kommun],
                      street_address=street, postal_code=area[2], city=area[1]
                      if kommun == "goteborg" else kommuner[kommun].name,
                      latitude=area[3] + rng.uniform(-0.002, 0.002),
                      longitude=area[4] + rng.uniform(-0.002, 0.002), operator_name=operator,
                      description=description, accessibility=accessibility)
        for room_name, capacity, features, approval in rooms:
            venue.rooms.append(Room(name=room_name, capacity=capacity, features=features,
                                    requires_approval=approval))
        for weekday, (opens, closes) in hours.items():
            venue.opening_hours.append(OpeningHours(weekday=weekday, opens=_clock(opens),
                                                    closes=_clock(closes)))
        for day, reason in _holidays(today):
            venue.closures.append(Closure(starts_on=day, ends_on=day, reason=reason))
        db.session.add(venue)
        rooms_by_kommun.setdefault(kommun, []).extend(venue.rooms)
    db.session.flush()
    return rooms_by_kommun


def _demo_organisations(rng, kommuner):
    """Forty organisations of every kind, two waiting for review and one archived.
    Returns [(organisation, kind, area)]."""
    used_names = set()
    organisations = []
    kinds = list(data.ORG_KINDS)
    for i in range(40):
        kind = kinds[i % len(kinds)]
        area = data.AREAS[(i * 5) % len(data.AREAS)]
        pattern = data.ORG_KINDS[kind][(i // len(kinds)) % len(data.ORG_KINDS[kind])]
        name = pattern.format(area=area[1])
        if name in used_names:
            name = f"{name} {i}"
        used_names.add(name)
        status = "verified"
        if i in (7, 23):
            status = "pending"
        elif i == 31:
            status = "archived"
        org = Organisation(
            slug=slugify(name), name=name, kind=kind, description=data.ORG_DESCRIPTIONS[kind],
            org_number=_org_number(rng), municipality=kommuner[area[0]],
            website=f"https://{slugify(name)}.example.se",
            email=f"info@{slugify(name)}.example.se",
            phone=f"0{rng.choice(['8', '31', '33'])}-{rng.randint(100, 999)} "
                  f"{rng.randint(10, 99)} {rng.randint(10, 99)}",
            street_address=f"{rng.choice(['Storgatan', 'Skolvägen', 'Torget', 'Parkvägen'])} "
                           f"{rng.randint(1, 40)}",
            postal_code=area[2], city=area[1], latitude=area[3] + rng.uniform(-0.01, 0.01),
            longitude=area[4] + rng.uniform(-0.01, 0.01), status=status,
            verified_at=utcnow() if status == "verified" else None)
        org.languages = ["sv"] + rng.sample(["ar", "en", "so", "fa", "ti", "uk"], 2)
        db.session.add(org)
        organisations.append((org, kind, area))
    db.session.flush()
    return organisations


def _demo_activities(rng, organisations, rooms_by_kommun, today):
    """One or two weekly activities per organisation, of a kind that fits it; most in a
    free room of their municipality, the rest at the organisation's address."""
    focus = {f.slug: f for f in db.session.scalars(select(FocusArea))}
    targets = {t.slug: t for t in db.session.scalars(select(TargetGroup))}
    activity_keys = list(data.ACTIVITY_KINDS)
    taken = {}  # (room id, weekday): [(start, end)] held by the demo's weekly activities
    for n, (org, kind, area) in enumerate(organisations):
        fitting = [k for k in activity_keys if kind in data.ACTIVITY_KINDS[k][12]] or \
            activity_keys
        for k in rng.sample(fitting, min(len(fitting), 1 + n % 2)):
            (sv, en, ar, desc_sv, desc_en, focus_slugs, target_slugs, langs, registration,
             capacity, start, end, _kinds) = data.ACTIVITY_KINDS[k]
            rooms = rooms_by_kommun.get(area[0], [])
            room, weekday = None, rng.randint(0, 4)
            if rooms and rng.random() < 0.6:
                room, weekday = _free_room(rng, rooms, taken, _clock(start), _clock(end))
            starts_on = today - timedelta(days=56 + (today.weekday() - weekday) % 7)
            activity = Activity(
                organisation=org, municipality=room.venue.municipality if room else
                org.municipality, title=sv, description=desc_sv,
                translations={"en": {"title": en, "description": desc_en},
                              "ar": {"title": ar}},
                registration_required=registration, default_capacity=capacity, room=room,
                street_address=None if room else org.street_address,
                postal_code=None if room else org.postal_code,
                city=None if room else org.city,
                latitude=(room.venue.latitude if room else org.latitude),
                longitude=(room.venue.longitude if room else org.longitude),
                recurrence="weekly", starts_on=starts_on, start_time=_clock(start),
                end_time=_clock(end), interval=1 if n % 5 else 2,
                weekdays=str(weekday), until=today + timedelta(days=180 + n * 3)
                if n % 3 == 0 else None,
                cost="" if n % 6 else "20 kr för fika")
            activity.languages = langs
            activity.focus_areas = [focus[s] for s in focus_slugs]
            activity.target_groups = [targets[s] for s in target_slugs]
            db.session.add(activity)
            db.session.flush()
            materialise_occurrences(activity, horizon_end(today))


def _cancel_first_coming_date():
    """One cancelled date, to show how it looks."""
    first_future = db.session.scalar(select(Occurrence).where(
        Occurrence.starts_at > utcnow()).order_by(Occurrence.starts_at).limit(1))
    if first_future is not None:
        first_future.status = "cancelled"
        first_future.cancel_reason = "Ledaren är sjuk. Välkommen nästa vecka!"
        first_future.sequence += 1


def _free_room(rng, rooms, taken, start, end):
    """(room, weekday): a room free every week at that time on a day its meeting place
    is open for the whole of it, or (None, a weekday) when there is none. The demo's
    activities hold their rooms the way any other would: no two at once, within the
    opening hours."""
    for room in rng.sample(rooms, len(rooms)):
        days = [oh.weekday for oh in room.venue.opening_hours
                if oh.opens <= start and end <= oh.closes]
        for weekday in rng.sample(days, len(days)):
            held = taken.setdefault((room.id, weekday), [])
            if all(end <= s or e <= start for s, e in held):
                held.append((start, end))
                return room, weekday
    return None, rng.randint(0, 4)


def _holidays(today):
    """Closed days ahead: julafton, nyårsafton and midsommarafton (a Friday 19–25 June)."""
    days = []
    for year in (today.year, today.year + 1):
        days.append((today.replace(year=year, month=12, day=24), "Julafton"))
        days.append((today.replace(year=year, month=12, day=31), "Nyårsafton"))
        june19 = today.replace(year=year, month=6, day=19)
        days.append((june19 + timedelta(days=(4 - june19.weekday()) % 7), "Midsommarafton"))
    return [(d, r) for d, r in days if d >= today]


def seed_scale(count, seed=7, chunk=2000, history_days=14):
    """Add `count` verified organisations with proportional activities and occurrences;
    the weekly series began about `history_days` ago (their past dates are kept).

    Rows go in with bulk inserts so 10,000 organisations take well under two minutes.
    """
    ensure_default_terms()
    scale = _ScaleRows(random.Random(seed), _municipalities(), history_days)
    start_org = (db.session.scalar(select(func.max(Organisation.id))) or 0) + 1
    act_id = (db.session.scalar(select(func.max(Activity.id))) or 0) + 1
    kinds = list(data.ORG_KINDS)
    with built_after(scale.rows):
        for i in range(count):
            org_id = start_org + i
            place = scale.add_organisation(org_id, kinds[i % len(kinds)])
            for _ in range(1 if i % 2 else 2):
                scale.add_activity(act_id, org_id, place)
                act_id += 1
            if len(scale.rows[Occurrence.__table__]) >= chunk * 10 or i == count - 1:
                scale.insert(chunk)
    db.session.flush()
    if is_postgres():
        # The bulk rows carry their ids: the sequences move past them, so the next row
        # the app adds gets a free id.
        for table in ("organisation", "activity", "occurrence"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT max(id) FROM {table}))"))
    return count


class _ScaleRows:
    """Generated rows for `seed_scale`, by table, until they go in by bulk insert."""

    def __init__(self, rng, kommuner, history_days):
        self.rng = rng
        self.kommuner = kommuner
        self.history_days = history_days
        self.focus_ids = [f.id for f in db.session.scalars(select(FocusArea))]
        self.target_ids = [t.id for t in db.session.scalars(select(TargetGroup))]
        self.today = local_today()
        self.last_day = horizon_end(self.today)
        self.now = utcnow()
        self.activity_kinds = list(data.ACTIVITY_KINDS.values())
        self.slots, self.blobs = {}, {}
        self.rows = {table: [] for table in (
            Organisation.__table__, organisation_focus_area, Activity.__table__,
            activity_focus_area, activity_target_group, Occurrence.__table__)}

    def add_organisation(self, org_id, kind):
        """A verified organisation somewhere in one of the areas. Returns its place:
        (municipality id, area, latitude, longitude)."""
        rng, now = self.rng, self.now
        area = data.AREAS[rng.randrange(len(data.AREAS))]
        name = f"{data.ORG_KINDS[kind][0].format(area=area[1])} {org_id}"
        lat = area[3] + rng.uniform(-0.08, 0.08)
        lon = area[4] + rng.uniform(-0.12, 0.12)
        municipality_id = self.kommuner[area[0]].id
        self.rows[Organisation.__table__].append(dict(
            id=org_id, slug=f"{slugify(name)}", name=name, kind=kind,
            description=data.ORG_DESCRIPTIONS[kind], translations={},
            municipality_id=municipality_id, latitude=lat, longitude=lon,
            city=area[1], postal_code=area[2], language_codes=",sv,ar,", status="verified",
            verified_at=now, confirmed_at=now, created_at=now, updated_at=now,
            search_text=search_blob(name) + self._search_text(
                data.ORG_DESCRIPTIONS[kind], area[1])))
        self.rows[organisation_focus_area].append(
            dict(organisation_id=org_id, focus_area_id=rng.choice(self.focus_ids)))
        return municipality_id, area, lat, lon

    def add_activity(self, act_id, org_id, place):
        """A weekly activity of a random kind at the organisation's place, with every
        date up to the horizon."""
        rng, now = self.rng, self.now
        municipality_id, area, lat, lon = place
        (sv, en, ar, desc_sv, desc_en, _f, _t, langs, registration, capacity, start,
         end, _k) = rng.choice(self.activity_kinds)
        weekday = rng.randint(0, 6)
        starts_on = self.today - timedelta(
            days=self.history_days + (self.today.weekday() - weekday) % 7)
        until = self.today + timedelta(days=rng.randint(30, 200))
        focus_id, target_id = rng.choice(self.focus_ids), rng.choice(self.target_ids)
        self.rows[Activity.__table__].append(dict(
            id=act_id, organisation_id=org_id, municipality_id=municipality_id,
            title=sv, description=desc_sv,
            translations={"en": {"title": en, "description": desc_en},
                          "ar": {"title": ar}},
            language_codes="," + ",".join(langs) + ",", cost="",
            registration_required=registration, default_capacity=capacity,
            street_address="Storgatan 1", postal_code=area[2], city=area[1],
            latitude=lat, longitude=lon, recurrence="weekly", starts_on=starts_on,
            start_time=_clock(start), end_time=_clock(end), interval=1,
            weekdays=str(weekday), until=until, status="active", sequence=0,
            created_at=now, updated_at=now, focus_area_ids=str(focus_id),
            target_group_ids=str(target_id),  # as the database keeps them (activities.tags)
            search_text=self._search_text(sv, desc_sv, area[1], en, desc_en, ar)))
        self.rows[activity_focus_area].append(
            dict(activity_id=act_id, focus_area_id=focus_id))
        self.rows[activity_target_group].append(
            dict(activity_id=act_id, target_group_id=target_id))
        schedule = Schedule(starts_on=starts_on, start_time=_clock(start),
                            end_time=_clock(end), recurrence="weekly",
                            weekdays=(weekday,), until=until)
        self.rows[Occurrence.__table__].extend(
            dict(activity_id=act_id, starts_at=s, ends_at=e, original_starts_at=s,
                 status="scheduled", sequence=0, updated_at=now, confirmed_count=0,
                 waitlist_count=0) for s, e in self._slots(schedule))

    def _slots(self, schedule):
        """slots(schedule, horizon): series that differ only in their last day share
        one expansion to the horizon (a few dozen among 100,000 organisations), cut at
        their own last day."""
        whole = replace(schedule, until=self.last_day)
        if whole not in self.slots:
            self.slots[whole] = ([start.date() for start in local_starts(whole, self.last_day)],
                                 slots(whole, self.last_day))
        days, pairs = self.slots[whole]
        return pairs[:bisect_right(days, min(schedule.until, self.last_day))]

    def _search_text(self, *parts):
        """search_blob(*parts), each distinct text folded once."""
        if parts not in self.blobs:
            self.blobs[parts] = search_blob(*parts)
        return self.blobs[parts]

    def insert(self, chunk):
        """Insert the rows held (COPY on PostgreSQL), parents before children; on
        PostgreSQL (its foreign keys dropped for the load: built_after) the activities
        last, after their dates and links, so the triggers that keep an activity's row
        (its parts' version, its tags' ids: written here already) find none to change:
        each row is written once. Written first, each was written again by each
        trigger, and the loaded activity table was two-thirds dead rows."""
        tables = list(self.rows)
        if is_postgres():
            tables.remove(Activity.__table__)
            tables.append(Activity.__table__)
        for table in tables:
            insert_rows(table, self.rows[table], chunk)
            self.rows[table].clear()
