"""The form every page's form is: Flask-WTF's (CSRF included), plus one rule for every
one-line field: it holds one line; and the translation fields a form has for each
configured language."""

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from .i18n import is_rtl, spoken_language_name, translation_languages

ONE_LINE = _l("Write this on one line.")


def has_line_break(value):
    """Whether a text holds a line break (a name, a title or a header cannot)."""
    return isinstance(value, str) and ("\n" in value or "\r" in value)


class Form(FlaskForm):
    """Flask-WTF's form; a one-line field (any text field but a text area) that holds a
    line break gets a message beside it, so a name or a title never carries one into a
    feed, an e-mail header or a CSV."""

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for field in self:
            if (isinstance(field, StringField) and not isinstance(field, TextAreaField)
                    and has_line_break(field.data)):
                field.errors = list(field.errors) + [ONE_LINE]
                valid = False
        return valid


class TranslatedFields:
    """A form whose Swedish texts may be translated into each configured language but
    Swedish: for a name in TRANSLATED, the form built by `in_languages()` has a field
    `<name>_<lang>` per language (e.g. `title_fa`), optional, labelled with the language's
    name in the reader's language and marked with its language and direction. Its
    `data` gives them as "translations": {lang: {name: text}}."""

    # name: (field class, label with %(language)s marked with N_, longest text)
    TRANSLATED = {}
    _built = {}

    @classmethod
    def in_languages(cls):
        """This form with a translation field per configured language (built once per
        set of languages)."""
        languages = translation_languages()
        key = (cls, languages)
        if key not in TranslatedFields._built:
            fields = {}
            for lang in languages:
                for name, (kind, label, longest) in cls.TRANSLATED.items():
                    fields[f"{name}_{lang}"] = kind(
                        _l(label, language=LazyString(spoken_language_name, lang)),
                        validators=[Optional(), Length(max=longest)],
                        render_kw={"lang": lang, "dir": "rtl" if is_rtl(lang) else "ltr"})
            built = type(cls.__name__, (cls,), fields)
            built.translated_into = languages
            TranslatedFields._built[key] = built
        return TranslatedFields._built[key]

    translated_into = ()

    def translation_fields(self, lang):
        """The translation fields of one language, in TRANSLATED's order."""
        return [self[f"{name}_{lang}"] for name in self.TRANSLATED]

    def fill_translations(self, translations):
        """Show stored translations in the fields (before the form is sent)."""
        for lang in self.translated_into:
            entry = (translations or {}).get(lang) or {}
            for name in self.TRANSLATED:
                self[f"{name}_{lang}"].data = entry.get(name)

    @property
    def data(self):
        data = super().data
        data["translations"] = {
            lang: {name: (self[f"{name}_{lang}"].data or "").strip()
                   for name in self.TRANSLATED} for lang in self.translated_into}
        return data
