"""Distance maths, pure: bounding boxes for SQL, then exact geodesic distance."""

import math

from geopy.distance import geodesic

KM_PER_DEGREE = 111.32


def bounding_box(latitude, longitude, radius_km):
    """(min_lat, max_lat, min_lon, max_lon) that holds every point within the radius."""
    dlat = radius_km / KM_PER_DEGREE
    dlon = radius_km / (KM_PER_DEGREE * max(math.cos(math.radians(latitude)), 0.01))
    return latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon


def distance_km(a, b):
    """Geodesic distance in km between two (lat, lon) points."""
    return geodesic(a, b).kilometers
