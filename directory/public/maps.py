"""What the maps on public pages show: points for occurrences and venues, as plain data
for the page's JSON block (static/js/map.js draws them), and where tiles come from."""

from urllib.parse import urlsplit

from flask import current_app, url_for
from flask_babel import format_decimal, ngettext

from ..activities.nearby import occurrence_location
from ..common.templating import local_date, local_time
from ..common.urls import path_of
from ..geo.placing import pin_start

# From this many markers on, map.js groups close ones (leaflet.markercluster);
# MAP_CLUSTER_FROM changes it.
CLUSTER_FROM = 30
# Links in one marker's popup; more are counted.
ITEMS_PER_POINT = 5


def tile_origin(tile_url):
    """The origin tiles are loaded from, for the Content-Security-Policy's img-src:
    "https://{s}.tile.example.org/{z}/{x}/{y}.png" → "https://*.tile.example.org";
    None for tiles on this site (a relative URL)."""
    parts = urlsplit(tile_url or "")
    if not parts.scheme or not parts.netloc:
        return None
    host = parts.netloc.replace("{s}", "*")
    if "{" in host or any(c in host for c in " ;'\""):
        return None
    return f"{parts.scheme}://{host}"


def _group(entries):
    """Markers from (lat, lon, label, item) entries: one per spot, items listed."""
    points = {}
    for lat, lon, label, item in entries:
        key = (round(lat, 5), round(lon, 5))
        point = points.setdefault(key, {"lat": key[0], "lon": key[1], "label": label,
                                        "items": [], "count": 0})
        point["count"] += 1
        if len(point["items"]) < ITEMS_PER_POINT:
            point["items"].append(item)
    for point in points.values():
        extra = point.pop("count") - len(point["items"])
        if extra > 0:
            point["more"] = ngettext("and %(num)d more", "and %(num)d more", extra)
    return list(points.values())


def occurrence_points(occurrences):
    """Markers for the occurrences that have a place with coordinates."""
    entries, link = [], path_of("activities.occurrence", "occurrence_id")
    for occ in occurrences:
        location = occurrence_location(occ)
        if location is None:
            continue
        lat, lon, venue = location
        activity = occ.activity
        label = str(venue.translated("name")) if venue else _own_place(activity)
        entries.append((lat, lon, label, {
            "title": str(activity.translated("title")),
            "url": link(occ.id),
            "detail": when(occ)}))
    return _group(entries)


def when(occurrence):
    """A date's day and times as the lists write them, on a 24-hour clock in every
    language: "27 nov. 2026 · 17:00–18:30"."""
    return (f"{local_date(occurrence.starts_at, 'd MMM y')} · "
            f"{local_time(occurrence.starts_at)}–{local_time(occurrence.ends_at)}")


def venue_points(venues):
    """Markers for the meeting places that have coordinates."""
    return _group((v.latitude, v.longitude, str(v.translated("name")), {
        "title": str(v.translated("name")), "url": url_for("activities.venue", slug=v.slug),
        "detail": v.address_line}) for v in venues
        if v.latitude is not None and v.longitude is not None)


def organisation_points(organisations):
    """Markers for organisations that have coordinates."""
    return _group((o.latitude, o.longitude, str(o.translated("name")), {
        "title": str(o.translated("name")),
        "url": url_for("activities.organisation", slug=o.slug),
        "detail": ", ".join(p for p in (o.street_address, o.city) if p)})
        for o in organisations if o.latitude is not None and o.longitude is not None)


def offer_points(places):
    """Markers for the coordinators' map: where matching activities meet (places are
    grouped already; each lists its first activities and counts the rest)."""
    link = url_for("activities.activity", activity_id=0)[:-1]  # "…/activities/", once
    points = []
    for place in places:
        shown = place.activities[:ITEMS_PER_POINT]
        point = {"lat": round(place.latitude, 5), "lon": round(place.longitude, 5),
                 "label": (str(place.venue.translated("name")) if place.venue
                           else shown[0].own_place),
                 "items": [{"title": str(a.translated("title")), "url": f"{link}{a.id}",
                            "detail": a.organisation_name} for a in shown]}
        extra = len(place.activities) - len(shown)
        if extra > 0:
            point["more"] = ngettext("and %(num)d more", "and %(num)d more", extra)
        points.append(point)
    return points


def _own_place(activity):
    return (", ".join(p for p in (activity.street_address, activity.city) if p)
            or str(activity.organisation.translated("name")))


def district_areas(districts, radius_km):
    """Circles for the coordinators' map: each district's walking distance, with how
    many matching activities meet in it."""
    return [{"lat": d.latitude, "lon": d.longitude, "count": d.activities,
             "label": ngettext("%(place)s: %(num)d activity within %(km)s km",
                               "%(place)s: %(num)d activities within %(km)s km",
                               d.activities, place=d.name, km=format_decimal(radius_km))}
            for d in districts]


def map_data(points, centre=None, radius_km=None, areas=None):
    """What the page's JSON block holds: markers, and the place searched from."""
    data = {"points": points}
    if areas:
        data["areas"] = areas
        data["area_radius_km"] = radius_km
    if centre is not None:
        data["centre"] = {"lat": centre.latitude, "lon": centre.longitude,
                          "label": str(centre.label)}
        data["radius_km"] = radius_km
    return data


def map_settings():
    """Tiles and their attribution, from MAP_TILE_URL and MAP_TILE_ATTRIBUTION."""
    return {"tiles": current_app.config.get("MAP_TILE_URL") or "",
            "attribution": current_app.config.get("MAP_TILE_ATTRIBUTION") or "",
            "cluster_from": current_app.config.get("MAP_CLUSTER_FROM", CLUSTER_FROM)}


# The radii a list near a place offers (the offer map counts within its own:
# activities.coverage.WALKING_DISTANCES_KM).
NEAR_RADII_KM = (1, 2, 5, 10, 25, 50)


def radius_choices(current):
    """The radii a list offers, with the one asked for (already clamped) among them."""
    choices = set(NEAR_RADII_KM)
    if current:
        choices.add(int(current) if float(current).is_integer() else current)
    return sorted(choices)


def register(app):
    """The map helpers, as template globals."""
    app.jinja_env.globals.update(pin_start=pin_start, offer_points=offer_points,
                                 organisation_points=organisation_points,
                                 district_areas=district_areas, occurrence_points=occurrence_points,
                                 venue_points=venue_points, map_data=map_data,
                                 map_settings=map_settings, radius_choices=radius_choices)
