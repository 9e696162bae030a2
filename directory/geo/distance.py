"""Distance maths, pure: bounding boxes for SQL, then exact geodesic distance."""

import math

from geopy.distance import geodesic

KM_PER_DEGREE = 111.32


def bounding_box(latitude, longitude, radius_km):
    """(min_lat, max_lat, min_lon, max_lon) that holds every point within the radius."""
    dlat = radius_km / KM_PER_DEGREE
    dlon = radius_km / (KM_PER_DEGREE * max(math.cos(math.radians(latitude)), 0.01))
    return latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon


EARTH_RADIUS_KM = 6371.0088  # mean radius: great-circle distances within 0.5 % of geodesic


def distance_km(a, b):
    """Geodesic distance in km between two (lat, lon) points (WGS 84, geopy)."""
    return geodesic(a, b).kilometers


def great_circle_km(a, b):
    """A fast great-circle distance (haversine), for sifting many points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))
