"""Validating HSDS 3.0 objects against the schemas in tests/hsds/ (Draft 2020-12, with
formats), plus the schedule checks the schema leaves out."""

import json
import re
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMAS = Path(__file__).parent / "hsds"
BYDAY = re.compile(r"^(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*$")
HH_MM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


def _registry():
    resources = []
    for path in SCHEMAS.glob("*.json"):
        resources.append((path.name, Resource.from_contents(
            json.loads(path.read_text(encoding="utf-8")), default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def errors(obj, kind):
    """The schema errors of one HSDS object of this kind ("service", "location", …),
    and of its schedules by our own rules, as messages."""
    schema = REGISTRY.contents(f"{kind}.json")
    validator = Draft202012Validator(schema, registry=REGISTRY,
                                     format_checker=FormatChecker())
    found = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(obj)]
    return found + [f"schedule: {p}" for s in schedules_in(obj) for p in schedule_problems(s)]


def schedules_in(obj):
    """Every schedule inside an object, however deep."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key == "schedules":
                yield from value
                for schedule in value:
                    yield from schedules_in(schedule)
            else:
                yield from schedules_in(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from schedules_in(value)


def schedule_problems(schedule):
    """What RFC 5545 and HSDS's own words ask of a schedule that its schema does not."""
    problems = []
    if "byday" in schedule and not BYDAY.match(schedule["byday"]):
        problems.append(f"byday {schedule['byday']!r}")
    for key in ("opens_at", "closes_at"):
        if key in schedule and not HH_MM.match(schedule[key]):
            problems.append(f"{key} {schedule[key]!r}")
    if "count" in schedule and "until" in schedule:
        problems.append("both count and until")
    if schedule.get("freq") and "dtstart" not in schedule:
        problems.append("a rule without dtstart")
    return problems
