"""Feeds from parts: each series' VEVENTs are written once per change and kept, so a feed
is assembled; the assembled bytes are the bytes written whole, and an edit writes only
the series it touched again."""

from directory.common.caching import cache
from directory.extensions import db


def kept_parts():
    return {key for key in cache.cache._cache if key.startswith("feed-part:")}


def test_a_feed_from_kept_parts_equals_the_feed_written_whole(client, factories):
    org = factories.organisation(name="Läxhjälpen")
    first = factories.activity(org, title="Läxhjälp")
    factories.activity(org, title="Språkcafé")
    factories.activity(org, title="Stickcafé")
    path = f"/organisations/{org.slug}/calendar.ics"
    assembled = client.get(path).data
    assert len(kept_parts()) == 3
    cache.clear()
    assert client.get(path).data == assembled  # written whole again: the same bytes

    before = kept_parts()
    first.title = "Läxhjälp för alla"
    db.session.commit()
    changed = client.get(path).data
    assert "SUMMARY:Läxhjälp för alla".encode() in changed
    assert "SUMMARY:Stickcafé".encode() in changed
    assert len(kept_parts() - before) == 1  # only the edited series was written again
    cache.clear()
    assert client.get(path).data == changed
