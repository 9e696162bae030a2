"""The shared lists of the whole installation, for county-wide coordinators: focus areas
and target groups (/staff/terms), and which municipalities this installation serves
(/staff/municipalities). A coordinator's own municipality is set on the accounts page
(staff/views.py): that rule is the organisations' (`set_coordinator_municipality`), and
taxonomy imports only common."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..common.access import county_required, load_or_404
from ..common.errors import form_work
from ..extensions import db
from .forms import TermForm
from .reference import reference_counties, reference_municipalities
from .services import (MunicipalityError, all_focus_areas, all_municipalities,
                       all_target_groups, disable_municipalities, enable_municipalities,
                       municipality_by_code, municipality_usage, save_term, term_model)

bp = Blueprint("taxonomy", __name__, url_prefix="/staff")


@bp.route("/terms", methods=["GET", "POST"])
@county_required
def terms():
    """Coordinators edit the focus areas and target groups."""
    editing = None
    kind = request.args.get("kind")
    if term_model(kind) and request.args.get("id", type=int):
        editing = load_or_404(term_model(kind), request.args.get("id", type=int))
    form = TermForm.in_languages()()
    if editing is not None and not form.is_submitted():
        form.kind.data, form.slug.data, form.name.data = kind, editing.slug, editing.name
        form.fill_translations({lang: {"name": name}
                                for lang, name in (editing.names or {}).items()})
    if form.validate_on_submit() and term_model(form.kind.data):
        term = editing if editing is not None and form.kind.data == kind else None
        with form_work(form, "name") as work:
            save_term(form.kind.data, form.data, current_user, term)
        if work.ok:
            flash(_("Saved."))
            return redirect(url_for("taxonomy.terms"), code=303)
    return render_template("taxonomy/terms.html", form=form, focus_areas=all_focus_areas(),
                           target_groups=all_target_groups(), editing=editing), (
        422 if form.errors else 200)


# ------------------------------------------------------------------ municipalities

def _municipality_filters(args):
    """The listing's filters from a query string or form: only enabled ones, one county
    (its two-digit code); unknown values are dropped."""
    filters = {}
    if args.get("enabled") == "1":
        filters["enabled"] = "1"
    if args.get("county") in {c["code"] for c in reference_counties()}:
        filters["county"] = args["county"]
    return filters


def _municipality_rows():
    """{code: row}: every municipality of the reference list, as the table holds it (a
    schema built without the migration may lack some: those are shown as not enabled),
    with what belongs to it."""
    usage = municipality_usage()
    rows = {entry["code"]: {"code": entry["code"], "name": entry["name"], "enabled": False,
                            "county_code": entry["county_code"]}
            for entry in reference_municipalities()}
    for municipality in all_municipalities():
        rows[municipality.code] = {"code": municipality.code, "name": municipality.name,
                                   "enabled": municipality.enabled,
                                   "county_code": municipality.county_code,
                                   **usage.get(municipality.id, {})}
    return rows


def _municipality_groups(filters):
    """[(county, [row, …]), …] by county code, rows by name, as the filters ask."""
    rows = _municipality_rows()
    groups = []
    for county in reference_counties():
        if filters.get("county") not in (None, county["code"]):
            continue
        listed = sorted((r for r in rows.values() if r["county_code"] == county["code"]
                         and (r["enabled"] or "enabled" not in filters)),
                        key=lambda r: r["name"])
        if listed:
            groups.append((county, listed))
    return groups


def _municipalities_page(filters, problem=None):
    return render_template("taxonomy/municipalities.html", filters=filters,
                           groups=_municipality_groups(filters),
                           counties=reference_counties(), problem=problem)


@bp.get("/municipalities")
@county_required
def municipalities():
    """The municipalities by county: which ones this installation serves, and what
    belongs to each."""
    return _municipalities_page(_municipality_filters(request.args))


@bp.post("/municipalities/<code>/<any(enable, disable):action>")
@county_required
def municipality_action(code, action):
    """Serve a municipality or stop serving it; one still in use is not disabled."""
    if not (code.isdigit() and len(code) == 4):
        abort(404)
    municipality = municipality_by_code(code, create=True)
    if municipality is None:
        abort(404)
    filters = _municipality_filters(request.form)
    change = enable_municipalities if action == "enable" else disable_municipalities
    try:
        change([code], current_user)
    except MunicipalityError as error:
        db.session.rollback()
        return _municipalities_page(filters, problem=(code, error.message)), 422
    db.session.commit()
    flash(_("%(name)s: saved.", name=municipality.name))
    return redirect(url_for("taxonomy.municipalities", **filters, _anchor=f"m-{code}"),
                    code=303)
