"""Organisations and who may act for them."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, event, or_
from sqlalchemy.ext.hybrid import hybrid_property

from ..common.i18n import SpokenLanguagesMixin, TranslatableMixin
from ..common.search import keep_search_index
from ..common.text import search_blob
from ..common.time import utcnow
from ..common.types import UTCDateTime, uuid_column
from ..common.validators import is_web_address
from ..extensions import db

# The kinds of organisation (Organisation.kind) and their names shown to people.
KINDS = {
    "forening": _l("Association"),
    "idrottsforening": _l("Sports club"),
    "studieforbund": _l("Study association"),
    "trossamfund": _l("Faith community"),
    "frivilligorganisation": _l("Voluntary organisation"),
    "invandrarforening": _l("Immigrant association"),
    "kvinnoforening": _l("Women's association"),
    "ungdomsforening": _l("Youth association"),
    "socialt-foretag": _l("Social enterprise"),
    "annan": _l("Other"),
}
# An organisation's review states; only "verified" is public.
STATUSES = ("pending", "verified", "rejected", "archived")
PUBLIC_STATUS = "verified"  # the one status that shows an organisation and its activities

organisation_focus_area = db.Table(
    "organisation_focus_area",
    db.Column("organisation_id", db.ForeignKey("organisation.id", ondelete="CASCADE"),
              primary_key=True),
    db.Column("focus_area_id", db.ForeignKey("focus_area.id", ondelete="CASCADE"),
              primary_key=True),
)


class Organisation(SpokenLanguagesMixin, TranslatableMixin, db.Model):
    """A förening or other voluntary organisation. Public only when verified."""

    id = db.Column(db.Integer, primary_key=True)
    uuid = uuid_column()  # the public id (HSDS): set once, never changed
    slug = db.Column(db.String(120), nullable=False, unique=True)
    name = db.Column(db.String(200), nullable=False)
    description = db.Column(db.Text, nullable=False, default="")
    translations = db.Column(db.JSON, nullable=False, default=dict)
    kind = db.Column(db.String(32), nullable=False, default="forening")
    org_number = db.Column(db.String(11))  # organisationsnummer NNNNNN-NNNN
    website = db.Column(db.String(300))
    email = db.Column(db.String(254))
    phone = db.Column(db.String(40))
    street_address = db.Column(db.String(200))
    postal_code = db.Column(db.String(10))
    city = db.Column(db.String(100))
    municipality_id = db.Column(db.Integer, db.ForeignKey("municipality.id"), nullable=False,
                                index=True)
    latitude = db.Column(db.Float)
    longitude = db.Column(db.Float)
    language_codes = db.Column(db.String(200), nullable=False, default="")
    # The interface language its messages are written in (None: Swedish).
    preferred_language = db.Column(db.String(8))
    # Wants a daily e-mail of the day's new sign-ups to its dates.
    signup_digest = db.Column(db.Boolean, nullable=False, default=False)
    status = db.Column(db.String(16), nullable=False, default="pending", index=True)
    status_reason = db.Column(db.Text)
    verified_at = db.Column(UTCDateTime)
    reviewed_at = db.Column(UTCDateTime)
    # Freshness (freshness.py): when its details were last confirmed (a coordinator's
    # decision or extension, its members saying they are still right or saving the
    # profile, an import that verifies); when its owners were asked to confirm them
    # (once per period); when it left the public lists, unconfirmed.
    confirmed_at = db.Column(UTCDateTime, nullable=False)
    confirm_asked_at = db.Column(UTCDateTime)
    lapsed_at = db.Column(UTCDateTime)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    search_text = db.Column(db.Text, nullable=False, default="")

    municipality = db.relationship("Municipality")
    focus_areas = db.relationship("FocusArea", secondary=organisation_focus_area,
                                  order_by="FocusArea.position")
    memberships = db.relationship("Membership", back_populates="organisation",
                                  cascade="all, delete-orphan")

    __table_args__ = (
        db.CheckConstraint(
            "status IN ({})".format(", ".join(f"'{s}'" for s in STATUSES)), name="status"),
        db.Index("ix_organisation_geo", "latitude", "longitude", "id"),
        db.Index("ix_organisation_lapsed", "lapsed_at"),  # not_public by index
        db.Index("ix_organisation_confirmed", "status", "confirmed_at"),
        db.Index("ix_organisation_name", "name", "id"),
    )

    @property
    def public_website(self):
        """The website as pages link to it and the API hands it on: only a whole http(s)
        address, whatever an older row holds."""
        return self.website if is_web_address(self.website) else None

    @hybrid_property
    def is_public(self):
        """Shown to everyone: verified, and not lapsed for want of confirmation. In
        Python on a loaded organisation, and as SQL (`Organisation.is_public`) in every
        query that lists or opens public things."""
        return self.status == PUBLIC_STATUS and self.lapsed_at is None

    @is_public.inplace.expression
    @classmethod
    def _is_public_expression(cls):
        return and_(cls.status == PUBLIC_STATUS, cls.lapsed_at.is_(None))

    @classmethod
    def not_public(cls):
        """SQL: the negation of `is_public`, as two ranges of the status index (a
        `!=` would scan all of it) and the lapsed ones."""
        return or_(cls.status < PUBLIC_STATUS, cls.status > PUBLIC_STATUS,
                   cls.lapsed_at.is_not(None))

    def confirm(self, now):
        """Its details are right as of `now`: a new period begins (asked again eleven
        months on), and a lapsed listing is public again."""
        self.confirmed_at = now
        self.confirm_asked_at = None
        self.lapsed_at = None

    def refresh_search_text(self):
        self.search_text = search_blob(self.name, self.description, self.city,
                                       *self.translation_texts())


keep_search_index(Organisation.__table__)


@event.listens_for(Organisation, "before_insert")
@event.listens_for(Organisation, "before_update")
def _organisation_search_text(mapper, connection, target):
    target.refresh_search_text()


@event.listens_for(Organisation, "before_insert")
def _first_confirmed(mapper, connection, target):
    """A new organisation's details are as fresh as its last review, else its
    verification, else its registration (as migration 0013 counted for older rows)."""
    if target.confirmed_at is None:
        target.confirmed_at = (target.reviewed_at or target.verified_at
                               or target.created_at or utcnow())


class Membership(db.Model):
    """A user's place in an organisation: owner or editor."""

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id", ondelete="CASCADE"),
                        nullable=False)
    organisation_id = db.Column(db.Integer,
                                db.ForeignKey("organisation.id", ondelete="CASCADE"),
                                nullable=False, index=True)
    role = db.Column(db.String(16), nullable=False, default="editor")
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    user = db.relationship("User", backref=db.backref("memberships",
                                                      cascade="all, delete-orphan"))
    organisation = db.relationship("Organisation", back_populates="memberships")

    __table_args__ = (
        db.UniqueConstraint("user_id", "organisation_id", name="uq_membership_user_org"),
        db.CheckConstraint("role IN ('owner', 'editor')", name="role"),
    )


# An import run's states: parsed and shown as a dry run, importing, imported, failed.
IMPORT_STATES = ("ready", "running", "done", "failed")


class ImportRun(db.Model):
    """A register file uploaded by a coordinator: its parsed rows (kept here between the
    dry run and the confirmation, never re-posted), the status imported organisations
    get, and how far the import has come."""

    __tablename__ = "import_run"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id", ondelete="SET NULL"),
                        index=True)
    filename = db.Column(db.String(200), nullable=False, default="")
    state = db.Column(db.String(16), nullable=False, default="ready")
    organisation_status = db.Column(db.String(16), nullable=False, default="pending")
    rows = db.Column(db.JSON, nullable=False, default=list)
    headers = db.Column(db.JSON, nullable=False, default=dict)
    ignored = db.Column(db.JSON, nullable=False, default=list)
    total = db.Column(db.Integer, nullable=False, default=0)
    rows_done = db.Column(db.Integer, nullable=False, default=0)
    created = db.Column(db.Integer, nullable=False, default=0)
    updated = db.Column(db.Integer, nullable=False, default=0)
    unchanged = db.Column(db.Integer, nullable=False, default=0)
    refused = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    finished_at = db.Column(UTCDateTime)

    user = db.relationship("User")

    __table_args__ = (
        db.CheckConstraint("state IN ({})".format(", ".join(f"'{s}'" for s in IMPORT_STATES)),
                           name="import_state"),
        db.CheckConstraint("organisation_status IN ('pending', 'verified')",
                           name="import_organisation_status"),
    )
