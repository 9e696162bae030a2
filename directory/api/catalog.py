"""The DCAT-AP-SE catalogue (JSON-LD) of the register's open data: the API, the HSDS
data (the API's HSDS routes and the `flask export-hsds` data package) and the calendar
feeds, with the licence, publisher and contact from the configuration (DATA_*)."""

from flask import current_app, url_for

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
}
EU = "http://publications.europa.eu/resource/authority/"
MEDIA = "https://www.iana.org/assignments/media-types/"
# The catalogue speaks the national portal's languages itself: fixed literals in
# Swedish and English, whatever the request's language.
TEXTS = {
    "catalog": ("Samverkans öppna data", "Samverkan's open data",
                "Register över föreningar, deras aktiviteter och mötesplatser.",
                "Register of voluntary organisations, their activities and meeting "
                "places."),
    "api": ("Föreningar och aktiviteter (API)", "Organisations and activities (API)",
            "Verifierade föreningar och deras kommande aktiviteter som JSON.",
            "Verified organisations and their coming activities as JSON."),
    "hsds": ("Föreningar, aktiviteter och platser (HSDS 3.0)",
             "Organisations, activities and places (HSDS 3.0)",
             "Hela det publika registret enligt Open Referral HSDS 3.0.",
             "The whole public register as Open Referral HSDS 3.0."),
    "feeds": ("Aktivitetskalender (iCalendar)", "Activity calendar (iCalendar)",
              "Kommande aktiviteter som kalenderflöde att prenumerera på.",
              "Coming activities as a calendar feed to subscribe to."),
}


def _text(sv, en):
    return [{"@language": "sv", "@value": sv}, {"@language": "en", "@value": en}]


def _link(url):
    return {"@id": url}


def _distribution(url, media_type, title, conforms_to=None):
    body = {"@type": "dcat:Distribution", "dcat:accessURL": _link(url),
            "dcat:mediaType": _link(MEDIA + media_type), "dcterms:title": title,
            "dcterms:license": _link(current_app.config["DATA_LICENSE"])}
    if conforms_to:
        body["dcterms:conformsTo"] = _link(conforms_to)
    return body


def publisher():
    """The publisher (foaf:Agent) from DATA_PUBLISHER and DATA_PUBLISHER_URL."""
    config = current_app.config
    body = {"@type": "foaf:Agent", "foaf:name": config["DATA_PUBLISHER"]}
    if config.get("DATA_PUBLISHER_URL"):
        body["@id"] = config["DATA_PUBLISHER_URL"]
    return body


def contact_point():
    """The contact (vcard:Organization) from DATA_PUBLISHER and DATA_CONTACT_EMAIL."""
    config = current_app.config
    body = {"@type": "vcard:Organization", "vcard:fn": config["DATA_PUBLISHER"]}
    if config.get("DATA_CONTACT_EMAIL"):
        body["vcard:hasEmail"] = _link("mailto:" + config["DATA_CONTACT_EMAIL"])
    return body


def _dataset(key, distributions):
    sv, en, sv_about, en_about = TEXTS[key]
    return {"@id": url_for("api.data_catalog", _external=True) + "#" + key,
            "@type": "dcat:Dataset", "dcterms:title": _text(sv, en),
            "dcterms:description": _text(sv_about, en_about),
            "dcterms:publisher": publisher(), "dcat:contactPoint": contact_point(),
            "dcat:theme": _link(EU + "data-theme/SOCI"),
            "dcterms:language": _link(EU + "language/SWE"),
            "dcterms:accessRights": _link(EU + "access-right/PUBLIC"),
            "dcterms:license": _link(current_app.config["DATA_LICENSE"]),
            "dcat:distribution": distributions}


def datasets():
    """The three datasets, each with the ways to get it."""
    def api(endpoint, **values):
        return url_for(endpoint, _external=True, **values)
    hsds_spec = "https://docs.openreferral.org/en/latest/hsds/"
    hsds = [_distribution(api("api.services"), "application/json", "HSDS services",
                          hsds_spec),
            _distribution(api("api.locations"), "application/json", "HSDS locations",
                          hsds_spec)]
    export = current_app.config.get("DATA_EXPORT_URL")
    if export:
        hsds.append(_distribution(export, "application/json", "HSDS data package",
                                  hsds_spec))
    return [
        _dataset("api", [_distribution(api("api.organizations"), "application/json",
                                       "Organisations"),
                         _distribution(api("api.occurrences"), "application/json",
                                       "Occurrences")]),
        _dataset("hsds", hsds),
        _dataset("feeds", [_distribution(api("calendars.search_calendar"),
                                         "text/calendar", "iCalendar")]),
    ]


def data_service():
    """The API as a dcat:DataService: where it answers, the document describing it, and
    the datasets it serves."""
    base = url_for("api.data_catalog", _external=True)
    return {"@id": base + "#service", "@type": "dcat:DataService",
            "dcterms:title": _text("Samverkans API", "Samverkan API"),
            "dcat:endpointURL": _link(url_for("api.root", _external=True)),
            "dcat:endpointDescription": _link(url_for("api.openapi_document",
                                                      _external=True)),
            "dcterms:conformsTo": _link("https://spec.openapis.org/oas/v3.1.0"),
            "dcterms:license": _link(current_app.config["DATA_LICENSE"]),
            "dcterms:publisher": publisher(), "dcat:contactPoint": contact_point(),
            "dcat:servesDataset": [_link(base + "#api"), _link(base + "#hsds")]}


def catalog():
    """The catalogue as a JSON-LD document."""
    sv, en, sv_about, en_about = TEXTS["catalog"]
    return {"@context": CONTEXT, "@id": url_for("api.data_catalog", _external=True),
            "@type": "dcat:Catalog", "dcterms:title": _text(sv, en),
            "dcterms:description": _text(sv_about, en_about),
            "dcterms:publisher": publisher(),
            "dcterms:license": _link(current_app.config["DATA_LICENSE"]),
            "dcterms:language": _link(EU + "language/SWE"),
            "foaf:homepage": _link(url_for("public.index", _external=True)),
            "dcat:dataset": datasets(), "dcat:service": [data_service()]}
