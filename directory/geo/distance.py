"""Distance maths, pure: bounding boxes for SQL, a fast close estimate, exact geodesics.

The exact distance is geopy's geodesic on the WGS 84 ellipsoid (Karney's method), at
about 70 µs a pair. Near-me may have thousands of rows left after the bounding box, so
they are first measured with the FCC's ellipsoidal flat-earth formula (about 1 µs, within
0.014 % of the geodesic for anything up to a few hundred km in Sweden, checked in
tests/test_geo_distance.py); the geodesic then decides every row whose estimate lies
within BAND of the radius, and gives every distance that is shown.
"""

import heapq
import math
from functools import lru_cache

from geopy.distance import geodesic

# Shortest degree of latitude (at the equator, 110.57 km) and the longest degree of
# longitude per cos(latitude) (111.32 km): a box from these never cuts the circle.
KM_PER_DEGREE_LAT_MIN = 110.5
KM_PER_DEGREE_LON_MAX = 111.33
# The estimate is trusted to this share of the distance (ten times its worst error).
BAND = 0.0015


def bounding_box(latitude, longitude, radius_km):
    """(min_lat, max_lat, min_lon, max_lon) that holds every point within the radius."""
    dlat = radius_km / KM_PER_DEGREE_LAT_MIN
    # The circle is widest in longitude on its side nearer the pole: use that latitude.
    widest = min(abs(latitude) + dlat, 89.9)
    dlon = min(radius_km / (KM_PER_DEGREE_LON_MAX * math.cos(math.radians(widest))), 180.0)
    return (max(latitude - dlat, -90.0), min(latitude + dlat, 90.0),
            longitude - dlon, longitude + dlon)


# One measure for every call: geodesic(a, b) works out its ellipsoid's coefficients
# anew each time (77 → 47 µs a pair), for the same result to the last bit.
_GEODESIC = geodesic()


def distance_km(a, b):
    """Exact geodesic distance in km between two (lat, lon) points (WGS 84)."""
    return _shown_km(a[0], a[1], b[0], b[1])


@lru_cache(maxsize=32)
def _shown_km(lat1, lon1, lat2, lon2):
    # A page of dates shows many at one place, each measured from the same centre: a
    # page's worth of pairs is kept, no more.
    return _GEODESIC.measure((lat1, lon1), (lat2, lon2))


def km_per_degree(latitude):
    """(km per degree of latitude, km per degree of longitude) at a latitude (FCC)."""
    # cos 2x, 3x, 4x and 5x from cos x: one cosine instead of five, for speed.
    c = math.cos(math.radians(latitude))
    c2 = 2 * c * c - 1
    c3 = (4 * c * c - 3) * c
    c4 = 2 * c2 * c2 - 1
    c5 = (16 * c ** 4 - 20 * c * c + 5) * c
    k_lat = 111.13209 - 0.56605 * c2 + 0.00120 * c4
    k_lon = 111.41513 * c - 0.09455 * c3 + 0.00012 * c5
    return k_lat, k_lon


def estimate_km(a, b):
    """Close, fast distance in km (FCC ellipsoidal flat-earth formula, for < 475 km)."""
    k_lat, k_lon = km_per_degree((a[0] + b[0]) / 2)
    return math.hypot(k_lat * (b[0] - a[0]), k_lon * (b[1] - a[1]))


def _scales_near(latitude, reach):
    """km per degree of latitude and of longitude, each as a quadratic in the offset from
    `latitude` (degrees), fitted through the FCC values at -reach, 0 and +reach: within
    reach it is the FCC scale to about 1e-7, for three cosines instead of one a point."""
    lo, mid, hi = (km_per_degree(latitude + d) for d in (-reach, 0.0, reach))
    return tuple((mid[i], (hi[i] - lo[i]) / (2 * reach),
                  (hi[i] - 2 * mid[i] + lo[i]) / (2 * reach * reach)) for i in (0, 1))


def within_radius(centre, points, radius_km):
    """{key: km} of the (key, lat, lon) points within `radius_km` of `centre`.

    The FCC estimate (taken at each pair's mean latitude, as estimate_km) settles the
    points clearly inside or outside; those near the edge are measured exactly, so the
    radius is exact. The km given are the estimate's (for ordering) except where the
    geodesic was taken. Written out in one loop: it runs over thousands of points.
    """
    lat0, lon0 = centre
    # The mean latitude of a pair inside the box lies within half its height of lat0.
    reach = max(radius_km / KM_PER_DEGREE_LAT_MIN / 2, 1e-4)
    (a0, a1, a2), (b0, b1, b2) = _scales_near(lat0, reach)
    edge = radius_km * BAND + 0.001
    low, high = radius_km - edge, radius_km + edge
    found = {}
    for key, lat, lon in points:
        if lat is None or lon is None:
            continue
        dlat = lat - lat0
        half = dlat * 0.5
        y = (a0 + (a1 + a2 * half) * half) * dlat
        x = (b0 + (b1 + b2 * half) * half) * (lon - lon0)
        km = math.sqrt(x * x + y * y)
        if km < low:
            found[key] = km
        elif km <= high:
            km = _GEODESIC.measure(centre, (lat, lon))
            if km <= radius_km:
                found[key] = km
    return found


def nearest_first(distances):
    """The keys of {key: km}, nearest first (ties by key, so the order is stable)."""
    return sorted(distances, key=lambda key: (distances[key], key))


def nearest_first_few(distances, count):
    """The first `count` keys of nearest_first(distances), without sorting them all."""
    return [key for _, key in heapq.nsmallest(count, ((km, key) for key, km
                                                      in distances.items()))]
