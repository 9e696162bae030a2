"""A date read as a row for a list (activities.cards) shows as the date loaded as a
model does: the same card, the same map marker, the same place, in every language."""

import pytest
from flask import get_template_attribute
from sqlalchemy import select

from directory.activities.cards import listed_cards
from directory.activities.models import Occurrence
from directory.activities.nearby import occurrence_location
from directory.extensions import db
from directory.public.maps import occurrence_points


@pytest.fixture
def dates(factories):
    """Dates of every kind a card shows: in a room and at an own address, cancelled
    with a reason, free and paid, translated titles, names and places, target groups."""
    room = factories.venue(translations={"ar": {"name": "مكان كيميستفيغن"}}).rooms[0]
    organisation = factories.organisation(
        name="Språkvänner Täby", translations={"en": {"name": "Language friends"}})
    factories.activity(organisation, title="Språkcafé", room=room, weekdays="4",
                       targets=["vuxna", "unga"], languages=["sv", "ar", "so"],
                       translations={"en": {"title": "Language café"},
                                     "ar": {"title": "مقهى اللغة"}})
    paid = factories.activity(organisation, title="Simskola", cost="50 kr",
                              street_address="", city="", latitude=59.44, longitude=18.07,
                              registration_required=True, default_capacity=12)
    cancelled = db.session.scalars(select(Occurrence).where(
        Occurrence.activity_id == paid.id).order_by(Occurrence.starts_at)).first()
    cancelled.cancel("Simhallen är stängd.")
    db.session.commit()
    return db.session.scalars(select(Occurrence.id).order_by(Occurrence.starts_at)).all()


@pytest.mark.parametrize("lang", ["sv", "en", "ar"])
def test_a_card_from_a_row_is_the_card_of_the_model(app, dates, lang):
    with app.test_request_context(f"/activities?lang={lang}",
                                  headers={"Accept-Language": lang}):
        app.preprocess_request()
        card = get_template_attribute("_macros.html", "occurrence_item")
        cards = listed_cards(dates)
        models = [db.session.get(Occurrence, i) for i in dates]
        assert [c.id for c in cards] == dates
        assert any(c.is_cancelled for c in cards) and any(c.room for c in cards)
        for row, model in zip(cards, models):
            assert str(card(row, "h3", 1.5, True)) == str(card(model, "h3", 1.5, True))
            assert occurrence_location(row)[:2] == occurrence_location(model)[:2]
        assert occurrence_points(cards) == occurrence_points(models)
