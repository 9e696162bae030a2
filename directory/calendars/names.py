"""What a subscribed search is called, so two subscriptions can be told apart: each
filter it holds as a translatable piece, joined with a translated separator pattern
("Aktiviteter · Utbildning och språk · nära Gårdsten"), in the feed's language."""

from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from flask_babel import gettext as _
from sqlalchemy import or_, select

from ..common.i18n import LANGUAGE_NAMES
from ..extensions import db
from ..organisations.models import Organisation
from ..taxonomy.models import FocusArea, Municipality, TargetGroup
from ..venues.models import Venue


def _labels(model, slugs, lang):
    """The terms' names in `lang`, in the terms' own order; unknown slugs are left out
    (the search leaves them out too)."""
    if not slugs:
        return []
    return [term.label(lang) for term in db.session.scalars(
        select(model).where(model.slug.in_(slugs)).order_by(model.position))]


def _name_of(model, column_value, *columns):
    if not column_value:
        return None
    return db.session.scalar(select(model.name).where(
        or_(*(column == column_value for column in columns))).limit(1))


def _language(code, lang):
    """A spoken language's name in `lang` ("arabiska"), else its own name."""
    try:
        return Locale.parse(code).get_display_name(lang) or LANGUAGE_NAMES.get(code, code)
    except (ValueError, LookupError, TypeError, UnknownLocaleError):
        return LANGUAGE_NAMES.get(code, code)


def _listed(names, lang):
    """Several names as one piece, as the language lists them ("A, B och C")."""
    try:
        return format_list(names, locale=lang)
    except (ValueError, LookupError):
        return ", ".join(names)


def search_name_pieces(filters, lang):
    """The pieces of a search feed's name after "Activities", one per filter given."""
    pieces = []
    if filters.q:
        pieces.append(_("“%(text)s”", text=filters.q))
    for model, slugs in ((FocusArea, filters.focus), (TargetGroup, filters.target)):
        names = _labels(model, slugs, lang)
        if names:
            pieces.append(_listed(names, lang))
    if filters.lang:
        pieces.append(_("in %(language)s", language=_language(filters.lang, lang)))
    organisation = _name_of(Organisation, filters.org, Organisation.slug)
    if organisation:
        pieces.append(organisation)
    venue = _name_of(Venue, filters.venue, Venue.slug)
    if venue:
        pieces.append(_("at %(place)s", place=venue))
    municipality = _name_of(Municipality, filters.kommun, Municipality.slug,
                            Municipality.code)
    if municipality:
        pieces.append(_("in %(municipality)s municipality", municipality=municipality))
    if filters.near:
        pieces.append(_("near %(place)s", place=filters.near))
    if filters.date_from:
        pieces.append(_("from %(date)s", date=filters.date_from.isoformat()))
    if filters.date_to:
        pieces.append(_("until %(date)s", date=filters.date_to.isoformat()))
    return pieces


def search_feed_name(filters, lang):
    """"Activities", then what the search holds, in `lang` (the request's language)."""
    name = _("Activities")
    for piece in search_name_pieces(filters, lang):
        name = _("%(name)s · %(part)s", name=name, part=piece)
    return name
