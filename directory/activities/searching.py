"""The filters as conditions on activities, and the text condition (the activity's
texts or its organisation's) in the form each way of finding dates needs
(activities.services.OccurrenceQuery):

- "set" (lists of activities, counting, collecting dates by activity; SQLite always):
  the matching organisations as one list, found once in their index.
- "each" (PostgreSQL walking dates in time order): the activity's own organisation
  looked up by its key, one row at a time. A walk checks a few hundred activities;
  listing every matching organisation first costs more than that when the word is
  common (läxhjälp at --scale 100000, 11,000 organisations: 18 → 4 ms).
- "indexed" (PostgreSQL reading the matching activities themselves): with the
  matching organisations few, their ids named, so both halves of the OR are bitmap
  index scans rather than a scan of every activity (a word found nowhere: 200 → 2 ms
  at --scale 100000); with them many, as the set (a hash of their ids: their ids as an
  array from a subquery were compared one by one with each activity's, the open data's
  services by title with `search=läxhjälp`, 11,116 organisations, ~45 → ~24 ms). Not
  for collecting dates in general: for a common word PostgreSQL would then look up
  each activity's dates one by one.

On PostgreSQL a search that needs the "each" or "indexed" form first reads the ids of
the organisations its words find, when they are at most FEW_ORGANISATIONS ("language
cafe": none): those forms then name the ids and look nothing up (a walk over this
morning's dates at --scale 10000: 4 ms less). The forms are built when first needed
(TextForms): a walk that fills its page needs one.
"""

from sqlalchemy import or_, select

from ..common.remembered import remembered
from ..common.db import in_ids, is_postgres
from ..common.listing import matches_text, speaks, tagged
from ..organisations.models import Organisation
from ..extensions import db
from .models import Activity, activity_focus_area, activity_target_group

FEW_ORGANISATIONS = 50


def activity_conditions(resolved, q="", lang="", form="set", organisations=None):
    """The filters as conditions on Activity, one per concern: text (the activity's or
    its organisation's, in `form`: see above), focus areas, target groups, spoken
    language, municipality, organisations (`organisations`: see activity_text).
    `resolved` (organisations.services.ResolvedFilters) holds ids or selects of ids;
    None leaves that filter out. For lists, partner feeds and the offer map alike."""
    conditions = []
    if q:
        conditions.append(activity_text(q, form, organisations))
    if resolved.focus_ids is not None:
        conditions.append(tagged(Activity.id, activity_focus_area.c.activity_id,
                                 activity_focus_area.c.focus_area_id, resolved.focus_ids))
    if resolved.target_ids is not None:
        conditions.append(tagged(Activity.id, activity_target_group.c.activity_id,
                                 activity_target_group.c.target_group_id, resolved.target_ids))
    if lang:
        conditions.append(speaks(Activity, lang))
    conditions += resolved.in_municipalities(Activity.municipality_id)
    if resolved.organisation_ids is not None:
        conditions.append(Activity.organisation_id.in_(resolved.organisation_ids))
    return conditions


class TextForms:
    """A search's activity conditions (activity_conditions) in each text form, each
    built when first asked: a walk needs one form, and the matching organisations
    (few_organisations, a statement) are read only for a form that names them. SQLite
    writes every form as the set, built once."""

    def __init__(self, resolved, q, lang):
        self.resolved, self.q, self.lang = resolved, q, lang
        self.built, self.organisations = {}, False

    def __getitem__(self, form):
        if form != "set" and not is_postgres():
            form = "set"
        if form not in self.built:
            self.built[form] = activity_conditions(
                self.resolved, self.q, self.lang, form,
                None if form == "set" else self.few)
        return self.built[form]

    @property
    def few(self):
        """The ids of the few organisations the words find (few_organisations), read
        when first asked; None when many (or on SQLite)."""
        if self.organisations is False:
            self.organisations = few_organisations(self.q)
        return self.organisations


def few_organisations(q):
    """PostgreSQL: the ids of the organisations whose texts hold every word of `q`,
    when at most FEW_ORGANISATIONS; else (and on SQLite) None."""
    if not is_postgres():
        return None
    return remembered(("few organisations", q), lambda: _few_organisations(q))


def _few_organisations(q):
    ids = db.session.scalars(select(Organisation.id).where(matches_text(Organisation, q))
                             .limit(FEW_ORGANISATIONS + 1)).all()
    return tuple(sorted(ids)) if len(ids) <= FEW_ORGANISATIONS else None


def activity_text(q, form="set", organisations=None):
    """SQL: the activity's texts or its organisation's hold every word of `q`
    (common.listing.matches_text), in `form` (one of TEXT_FORMS; on SQLite always the
    set, which its FTS5 index answers). `organisations` (few_organisations) names the
    matching organisations for the "each" and "indexed" forms."""
    of_organisations = select(Organisation.id).where(matches_text(Organisation, q))
    if organisations is not None and form in ("each", "indexed"):
        organisation = in_ids(Activity.organisation_id, organisations)
    elif form == "each" and is_postgres():
        organisation = of_organisations.where(
            Organisation.id == Activity.organisation_id).exists()
    else:
        organisation = Activity.organisation_id.in_(of_organisations)
    return or_(matches_text(Activity, q), organisation)
