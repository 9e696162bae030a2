"""Geo maths without an app: the fast estimate against geopy's geodesic, boxes that
never cut the circle, exact radius edges, and distances worked out by hand."""

import math
import random

import pytest

from directory.geo.distance import (BAND, bounding_box, distance_km, estimate_km,
                                    nearest_first, within_radius)
from directory.geo.geocoder import POSTCODE, parse_coordinates
from directory.public.maps import tile_origin

GARDSTEN = (57.8048, 12.02883)
# Gazetteer points. By hand on the local ellipsoidal grid (FCC): at 57.8° N a degree of
# latitude is 111.377 km and one of longitude 59.37 km, so Gårdsten → Angered centrum
# (57.7975, 12.0484) is √((0.0073 × 111.377)² + (0.01957 × 59.37)²) = √(0.813² + 1.162²)
# = 1.418 km; → Mölndal (57.6554, 12.01378): √((0.1494 × 111.38)² + (0.01505 × 59.4)²)
# = √(16.64² + 0.894²) = 16.66 km; → Täby (59.4439, 18.06872), far enough for the
# sphere: 6371 km × the central angle (haversine) ≈ 394.6 km, the ellipsoid adding ~0.3 %.
HAND = {"Angered": ((57.7975, 12.0484), 1.418), "Mölndal": ((57.6554, 12.01378), 16.66),
        "Täby": ((59.4439, 18.06872), 395.7)}


@pytest.mark.parametrize("name", sorted(HAND))
def test_distances_match_the_hand_worked_ones(name):
    point, km = HAND[name]
    assert distance_km(GARDSTEN, point) == pytest.approx(km, rel=0.004)


def test_the_estimate_stays_well_inside_its_band():
    rng = random.Random(7)
    worst = 0
    for _ in range(3000):
        a = (rng.uniform(55.3, 69), rng.uniform(11, 24))
        reach = rng.choice([0.3, 2, 10, 50, 100]) / 111
        b = (a[0] + rng.uniform(-reach, reach), a[1] + rng.uniform(-2 * reach, 2 * reach))
        exact = distance_km(a, b)
        if exact > 0.01:
            worst = max(worst, abs(estimate_km(a, b) - exact) / exact)
    assert worst < BAND / 5


def test_the_box_holds_every_point_of_the_circle():
    for lat in (0.0, 55.6, 59.4, 68.4, -45.0):
        for radius in (0.1, 5, 100):
            lat0, lat1, lon0, lon1 = bounding_box(lat, 15.0, radius)
            for bearing in range(0, 360, 5):
                # A point just inside the circle, found by walking the geodesic.
                from geopy.distance import geodesic
                p = geodesic(kilometers=radius * 0.999).destination((lat, 15.0), bearing)
                assert lat0 <= p.latitude <= lat1 and lon0 <= p.longitude <= lon1, (
                    lat, radius, bearing)


def test_radius_edges_are_exact():
    centre = GARDSTEN
    angered = HAND["Angered"][0]
    exact = distance_km(centre, angered)
    inside = within_radius(centre, [("a", *angered)], exact + 0.0005)
    outside = within_radius(centre, [("a", *angered)], exact - 0.0005)
    assert inside == {"a": pytest.approx(exact)} and outside == {}
    assert within_radius(centre, [("none", None, None)], 10) == {}


def test_nearest_first_is_stable():
    assert nearest_first({"b": 1.0, "a": 1.0, "c": 0.5}) == ["c", "a", "b"]


@pytest.mark.parametrize("text, expected", [
    ("57.80,12.03", (57.8, 12.03)), ("57.80, 12.03", (57.8, 12.03)),
    ("57.80 12.03", (57.8, 12.03)), ("-33.9;151.2", (-33.9, 151.2)),
    ("999,999", None), ("91,0", None), ("0,181", None), ("abc", None), ("", None)])
def test_coordinates(text, expected):
    place = parse_coordinates(text)
    assert (place and (place.latitude, place.longitude)) == (expected and expected)


def test_postcodes_are_told_apart_from_coordinates():
    assert POSTCODE.match("424 39") and POSTCODE.match("SE-42439")
    assert not POSTCODE.match("57.8,12.0")


@pytest.mark.parametrize("url, origin", [
    ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
    ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
    ("http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png", "http://127.0.0.1:8080"),
    ("/tiles/{z}/{x}/{y}.png", None), ("", None), (None, None),
    ("https://evil.example; script-src *", None)])
def test_tile_origin_for_the_csp(url, origin):
    assert tile_origin(url) == origin


def test_far_north_box_is_wide_enough():
    lat0, lat1, lon0, lon1 = bounding_box(89.99, 0, 5)
    assert lat1 == 90.0 and lon1 - lon0 <= 360.0
    assert not math.isnan(lon0)


def test_within_radius_agrees_with_the_geodesic_everywhere_in_sweden():
    """Thousands of points round centres from Skåne to Norrbotten at radii from 0.3 to
    100 km: inside exactly when the geodesic says so, and the estimate given is close."""
    rng = random.Random(11)
    for _ in range(40):
        centre = (rng.uniform(55.3, 69), rng.uniform(11, 24))
        radius = rng.choice([0.3, 2, 5, 25, 100])
        reach = radius * 1.3 / 111
        points = [(n, centre[0] + rng.uniform(-reach, reach),
                   centre[1] + rng.uniform(-2 * reach, 2 * reach)) for n in range(150)]
        found = within_radius(centre, points, radius)
        for key, lat, lon in points:
            exact = distance_km(centre, (lat, lon))
            assert (key in found) == (exact <= radius), (centre, radius, lat, lon, exact)
            if key in found:
                assert found[key] == pytest.approx(exact, rel=BAND / 5, abs=1e-6)
