"""load_or_404: unknown ids, ids outside 32 bits and rows the check refuses all answer 404."""

import pytest
from werkzeug.exceptions import NotFound

from directory.common.access import MAX_ID, load_or_404
from directory.organisations.models import Organisation


def test_loads_by_id_or_slug_and_refuses_what_the_check_refuses(app, factories):
    org = factories.organisation(name="Läxhjälpen Täby")
    assert load_or_404(Organisation, org.id) is org
    assert load_or_404(Organisation, org.slug, by="slug") is org
    assert load_or_404(Organisation, org.id, lambda o: o.name.startswith("Läx")) is org
    for value, check in ((org.id + 1, None), (0, None), (-1, None), (MAX_ID + 1, None),
                         (2**63, None), (None, None), (org.id, lambda o: False)):
        with pytest.raises(NotFound):
            load_or_404(Organisation, value, check)
    with pytest.raises(NotFound):
        load_or_404(Organisation, "no-such-slug", by="slug")


def test_an_id_beyond_32_bits_answers_404(client, factories, auth):
    org = factories.organisation(name="Läxhjälpen Täby")
    factories.user(email="a@example.se", organisation=org)
    auth.login("a@example.se")
    for path in (f"/manage/activities/{MAX_ID + 1}", f"/manage/activities/{2**64}/dates",
                 f"/manage/occurrences/{MAX_ID + 1}/signups"):
        assert client.get(path).status_code == 404, path
