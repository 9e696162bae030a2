"""Places and distances: geocoding (offline gazetteer or Nominatim) and near-me search."""
