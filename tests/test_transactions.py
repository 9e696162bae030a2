"""A transaction that only read ends with COMMIT on PostgreSQL, so the driver keeps the
statements it prepared (common.transactions); whatever wrote is still rolled back."""

import time
from datetime import time as time_of_day
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.pool import NullPool

from directory.common.time import local_today
from directory.extensions import db
from directory.organisations.models import Organisation


def _names():
    return db.session.scalars(select(Organisation.name).order_by(Organisation.id)).all()


def test_a_flushed_change_not_committed_is_rolled_back(app, factories):
    organisation = factories.organisation(name="Läxhjälp Gårdsten")
    organisation.name = "Ändrad"
    db.session.flush()
    db.session.rollback()
    assert _names() == ["Läxhjälp Gårdsten"]


def test_an_update_statement_not_committed_is_rolled_back(app, factories):
    factories.organisation(name="Läxhjälp Gårdsten")
    db.session.scalar(select(Organisation.id))  # it read first
    db.session.execute(update(Organisation).values(name="Ändrad"))
    db.session.rollback()
    assert _names() == ["Läxhjälp Gårdsten"]


def test_a_page_left_unsaved_changes_nothing(client, app, factories):
    organisation = factories.organisation(name="Läxhjälp Gårdsten")
    for _ in range(3):
        assert client.get(f"/organisations/{organisation.slug}/calendar.ics").status_code \
            == 200
    assert _names() == ["Läxhjälp Gårdsten"]


def test_a_failed_statement_is_rolled_back_and_the_session_goes_on(app, factories):
    factories.organisation(name="Läxhjälp Gårdsten")
    with pytest.raises(Exception):
        db.session.execute(text("SELECT no_such_column FROM organisation"))
    db.session.rollback()
    assert _names() == ["Läxhjälp Gårdsten"]


@pytest.mark.app_config(ANSWER_CACHE=False)  # every request reaches the view
def test_statements_stay_prepared_across_requests_on_postgresql(client, app, factories):
    organisation = factories.organisation(name="Läxhjälp Gårdsten")
    factories.activity(organisation=organisation)
    path = f"/organisations/{organisation.slug}/calendar.ics"
    db.session.remove()
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg's prepared statements: PostgreSQL only")
    db.engine.dispose()  # one connection, used by every request below
    for _ in range(8):  # psycopg prepares a statement on its sixth use
        assert client.get(path).status_code == 200
    prepared = db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
    assert prepared > 0


@pytest.mark.app_config(ANSWER_CACHE=False)
def test_a_search_is_planned_for_its_words_on_postgresql(client, app, factories):
    """A search's statements are planned for their words: PostgreSQL's plan made once
    for any words read every activity for a broad search. Its walk has the words written
    into its text, so a search asked again is kept prepared as that text alone (no
    parameters: its plan is for those words); another search is another text. Its
    statements with the words as parameters are never kept prepared. The rest of the
    page (its dates' rows) is. (Every day for months: the walk fills its page each
    time; a search whose walk ran out goes to its few activities' dates after.)"""
    organisation = factories.organisation(name="Läxhjälp Gårdsten")
    tomorrow = local_today() + timedelta(days=1)
    factories.activity(organisation=organisation, title="Språkcafé",
                       weekdays="0,1,2,3,4,5,6", starts_on=tomorrow,
                       until=tomorrow + timedelta(days=120))
    db.session.remove()
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg's prepared statements: PostgreSQL only")
    db.engine.dispose()  # one connection, used by every request below
    for words in ("sprakcafe", "gardsten"):
        for _ in range(8):
            answer = client.get(f"/api/v1/occurrences?q={words}")
            assert answer.status_code == 200
            assert [d["title"] for d in answer.get_json()["contents"]][:1] == ["Språkcafé"]
    prepared = db.session.execute(text(
        "SELECT statement, parameter_types::text FROM pg_prepared_statements")).all()
    searches = [(s, types) for s, types in prepared if "search_text" in s]
    assert searches and all(types == "{}" for _, types in searches)
    assert {w for w in ("sprakcafe", "gardsten") for s, _ in searches if f"%{w}%" in s} \
        == {"sprakcafe", "gardsten"}
    assert [s for s, _ in prepared if "FROM occurrence JOIN activity" in s]  # the rows
    db.session.remove()  # the connection back to the requests
    for _ in range(8):  # the same list without a search keeps its statements
        assert client.get("/api/v1/occurrences").status_code == 200
    prepared = db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
    assert prepared > 0


@pytest.mark.app_config(ANSWER_CACHE=False)
def test_the_walk_over_every_date_is_planned_once_with_its_values_on_postgresql(
        client, app, factories):
    """The list of every public date is prepared with its values in its text (the
    minute, today, the page): PostgreSQL plans it once for them, not at every request
    (with bound values it judged its plan for any values dearer and planned it each
    time). The answers are the dates as ever: an organisation that is not public
    has its activity's id written in, and its dates left out."""
    organisation = factories.organisation(name="Läxhjälp Gårdsten")
    activity_id = factories.activity(organisation=organisation, title="Språkcafé").id
    pending = factories.organisation(name="Ny förening", status="pending")
    hidden_id = factories.activity(organisation=pending, title="Dold",
                                  start_time=time_of_day(16)).id
    db.session.remove()
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg's prepared statements: PostgreSQL only")
    db.engine.dispose()  # one connection, used by every request below
    for _ in range(8):
        answer = client.get("/api/v1/occurrences?per_page=5").get_json()
        assert [d["title"] for d in answer["contents"]] == ["Språkcafé"] * 5
        assert {d["activity_id"] for d in answer["contents"]} == {activity_id}
    walks = db.session.execute(text(
        "SELECT statement, parameter_types::text, generic_plans, custom_plans "
        "FROM pg_prepared_statements WHERE statement LIKE '%count(*) OVER ()%'")).all()
    assert len(walks) == 1
    statement, parameter_types, generic, custom = walks[0]
    assert parameter_types == "{}" and custom == 0 and generic >= 1
    assert "LIMIT 5" in statement and f"'{{{hidden_id}}}'" in statement


@pytest.mark.app_config(ANSWER_CACHE=False)
def test_a_connection_the_server_dropped_while_it_rested_is_replaced(client, app, factories):
    """A pooled connection is pinged when it comes back from a rest (IDLE_BEFORE_PING):
    one the server ended meanwhile is replaced, and the visitor sees the page."""
    from directory import IDLE_BEFORE_PING
    path = f"/organisations/{factories.organisation(name='Läxhjälp Gårdsten').slug}"
    db.session.remove()
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to drop a connection")
    db.engine.dispose()  # one pooled connection: the one the requests below use
    assert client.get(path).status_code == 200
    other = create_engine(db.engine.url, poolclass=NullPool)  # not from the pool
    with other.connect() as connection:
        ended = connection.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
            "state = 'idle' AND datname = current_database() AND pid <> pg_backend_pid()"
        )).scalar()
        connection.commit()
    assert ended >= 1
    time.sleep(IDLE_BEFORE_PING + 0.5)
    page = client.get(path)
    assert page.status_code == 200 and "Läxhjälp Gårdsten" in page.text


def _in_a_request(app, method):
    """A request context of `method` whose before_request hooks have run (as a view's
    would), on a session with no transaction open."""
    db.session.commit()
    context = app.test_request_context("/organisations", method=method)
    context.push()
    app.preprocess_request()
    return context


def _driver_status():
    """The PostgreSQL driver's transaction status of the session's connection."""
    driver = db.session.connection().connection.driver_connection
    return driver.info.transaction_status.name


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_what_a_request_writes_is_saved_whole_or_not_at_all(app, factories, method):
    """A GET reads without a transaction on PostgreSQL until it writes; from its first
    write on, all it writes commits or rolls back together, as in any other request."""
    first = factories.organisation(name="Läxhjälp Gårdsten")
    taken = factories.organisation(name="Språkcafé Täby").slug
    context = _in_a_request(app, method)
    try:
        assert _names() == ["Läxhjälp Gårdsten", "Språkcafé Täby"]  # it read first
        db.session.execute(update(Organisation).where(Organisation.id == first.id)
                           .values(name="Ändrad"))
        with pytest.raises(Exception):  # the second write breaks a rule: slugs unique
            db.session.execute(update(Organisation).where(Organisation.id == first.id)
                               .values(slug=taken))
        db.session.rollback()
    finally:
        context.pop()
    assert _names() == ["Läxhjälp Gårdsten", "Språkcafé Täby"]


def test_a_get_that_only_reads_opens_no_transaction_on_postgresql(app, factories):
    """No BEGIN and no COMMIT for a page that only reads (two round trips fewer); a POST
    reads in a transaction as ever."""
    factories.organisation(name="Läxhjälp Gårdsten")
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's driver begins a transaction only before a write itself")
    for method, status in (("GET", "IDLE"), ("HEAD", "IDLE"), ("POST", "INTRANS")):
        context = _in_a_request(app, method)
        try:
            assert _names() == ["Läxhjälp Gårdsten"]
            assert _driver_status() == status, method
        finally:
            db.session.rollback()
            context.pop()


def test_a_get_holds_the_rows_it_locks_until_it_ends_on_postgresql(app, factories):
    """A SELECT … FOR UPDATE in a GET opens a transaction first, so the row stays locked
    for the rest of the request: another connection cannot take it meanwhile."""
    organisation_id = factories.organisation(name="Läxhjälp Gårdsten").id
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    other = create_engine(db.engine.url, poolclass=NullPool)
    lock = text("SELECT id FROM organisation WHERE id = :id FOR UPDATE NOWAIT")
    context = _in_a_request(app, "GET")
    try:
        db.session.scalars(select(Organisation.id).where(Organisation.id == organisation_id)
                           .with_for_update()).all()
        with other.connect() as connection, pytest.raises(Exception, match="lock"):
            connection.execute(lock, {"id": organisation_id})
        db.session.rollback()
    finally:
        context.pop()
    with other.connect() as connection:  # the request ended: the row is free
        assert connection.execute(lock, {"id": organisation_id}).scalar() == organisation_id
    other.dispose()
