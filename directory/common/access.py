"""Who may reach a page: the coordinators' decorators, and "load it, may this user act
on it, else 404" for every route that acts on one row."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from ..extensions import db

# Every id column is a 32-bit integer: a larger id names nothing (and PostgreSQL would
# refuse to compare it), so it answers 404 like any other unknown id.
MAX_ID = 2**31 - 1


def staff_required(view):
    """Only coordinators; anyone else gets 404 (the page does not say it exists)."""
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_staff:
            abort(404)
        return view(*args, **kwargs)
    return wrapper


def county_required(view):
    """Things of the whole installation (focus areas and target groups, municipalities,
    LÖK partners and their feeds): county-wide coordinators only; anyone else gets 404."""
    @wraps(view)
    @staff_required
    def wrapper(*args, **kwargs):
        if current_user.municipality_id is not None:
            abort(404)
        return view(*args, **kwargs)
    return wrapper


def load_or_404(model, value, check=None, by="id"):
    """The `model` row whose column `by` (the id, or another unique column such as
    `slug`) is `value`; 404 when there is none, and 404 when `check(row)` is false:
    another organisation's things answer 404, not 403, so a page never says that
    something it does not show exists. The check is passed in (e.g.
    `lambda o: may_edit(current_user, o)`): this module knows no domain's rules."""
    if isinstance(value, int) and not isinstance(value, bool) \
            and not 1 <= value <= MAX_ID:
        abort(404)
    if value is None or value == "":
        abort(404)
    if by == "id":
        row = db.session.get(model, value)
    else:
        row = db.session.scalar(db.select(model).filter_by(**{by: value}).limit(1))
    if row is None or (check is not None and not check(row)):
        abort(404)
    return row
