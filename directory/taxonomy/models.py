"""Municipalities, focus areas and target groups: short lists staff can edit."""

from ..common.i18n import current_lang
from ..common.types import uuid_column
from ..extensions import db


class NamedTermMixin:
    """A term with a Swedish name and names in other languages."""

    def label(self, lang=None):
        """The name in `lang` (the request's language by default), else Swedish."""
        lang = lang or current_lang()
        if lang != "sv":
            name = (self.names or {}).get(lang)
            if name:
                return name
        return self.name


class Municipality(db.Model):
    """A kommun; every organisation and venue belongs to one."""

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(4), nullable=False, unique=True)  # SCB kommunkod
    slug = db.Column(db.String(80), nullable=False, unique=True)
    name = db.Column(db.String(120), nullable=False)
    county = db.Column(db.String(120), nullable=False)  # län
    # Served by this installation: offered when registering and in the filters. The
    # reference list holds all 290; an installation enables the ones it serves.
    enabled = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())

    def label(self, lang=None):
        return self.name

    @property
    def county_code(self):
        """The län's code: the kommunkod's first two digits."""
        return self.code[:2]


class FocusArea(NamedTermMixin, db.Model):
    """A fokusområde of the local agreement, e.g. Arbete och egen försörjning."""

    id = db.Column(db.Integer, primary_key=True)
    uuid = uuid_column()  # the public id (HSDS): set once, never changed
    slug = db.Column(db.String(80), nullable=False, unique=True)
    name = db.Column(db.String(120), nullable=False)
    names = db.Column(db.JSON, nullable=False, default=dict)
    position = db.Column(db.Integer, nullable=False, default=0)


class TargetGroup(NamedTermMixin, db.Model):
    """A målgrupp, e.g. barn, unga, kvinnor."""

    id = db.Column(db.Integer, primary_key=True)
    uuid = uuid_column()  # the public id (HSDS): set once, never changed
    slug = db.Column(db.String(80), nullable=False, unique=True)
    name = db.Column(db.String(120), nullable=False)
    names = db.Column(db.JSON, nullable=False, default=dict)
    position = db.Column(db.Integer, nullable=False, default=0)


DEFAULT_FOCUS_AREAS = [
    ("arbete", "Arbete och egen försörjning",
     {"en": "Work and self-sufficiency", "ar": "العمل والاكتفاء الذاتي"}),
    ("utbildning", "Utbildning och språk",
     {"en": "Education and language", "ar": "التعليم واللغة"}),
    ("delaktighet", "Delaktighet och sociala sammanhang",
     {"en": "Participation and social connections", "ar": "المشاركة والروابط الاجتماعية"}),
    ("boende", "Boende", {"en": "Housing", "ar": "السكن"}),
    ("halsa", "Hälsa", {"en": "Health", "ar": "الصحة"}),
    ("barn-och-unga", "Barn och unga", {"en": "Children and young people",
                                        "ar": "الأطفال والشباب"}),
]

DEFAULT_TARGET_GROUPS = [
    ("barn", "Barn", {"en": "Children", "ar": "الأطفال"}),
    ("unga", "Unga", {"en": "Young people", "ar": "الشباب"}),
    ("vuxna", "Vuxna", {"en": "Adults", "ar": "البالغون"}),
    ("kvinnor", "Kvinnor", {"en": "Women", "ar": "النساء"}),
    ("familjer", "Familjer", {"en": "Families", "ar": "العائلات"}),
    ("alla", "Alla", {"en": "Everyone", "ar": "الجميع"}),
]
