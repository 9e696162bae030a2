"""Values worked out from the data, kept per process (remembered): each under the data
version it was worked out at (common.caching.data_version: every write to the rows
public answers show moves it), so a change is seen by the very next request to any
process, as with the answers kept (common.caching)."""

import time

from flask import current_app

from .caching import data_version
from .transactions import wrote

# Values worked out from the data kept per process (remembered; all forgotten when full).
MEMO_SIZE = 4000
# Large ones (a broad search's matching activities: thousands of ids, ~100 KB of text)
# are kept apart, this many at most.
LARGE_MEMO_SIZE = 32


def remembered(what, compute, version=None, large=False):
    """`compute()` (a value that depends on the data and the minute alone, None too),
    worked out once per data version and minute in each process: the data version
    moves with every write to the rows public answers show, and the minute with the
    clock (a search feed's dates are those still to come). `what` names the value and
    everything it depends on besides; `version` is the data version when read already
    (data_version); `large`: a value of the data alone, not the minute, that may be
    large (thousands of ids), kept among at most LARGE_MEMO_SIZE. Unremembered when the
    version cannot be read, or in a transaction that wrote (what it sees is not yet
    everyone's). Keep plain values, never objects of a session: the value outlives the
    request that worked it out."""
    version = data_version() if version is None else version
    if version is None or wrote():
        return compute()
    known, memo, size = _memo(what, version, large)
    if memo in known:
        return known[memo]
    if len(known) >= size:
        known.clear()
    found = known[memo] = compute()
    return found


def recalled(what, large=False):
    """The value remembered (above) under `what` for the data version (and minute) of
    now, without working it out: None when there is none."""
    version = data_version()
    if version is None or wrote():
        return None
    known, memo, _ = _memo(what, version, large)
    return known.get(memo)


def _memo(what, version, large):
    """(the process's remembered values, the key of `what` among them, their most)."""
    if large:
        return (current_app.extensions.setdefault("remembered large", {}),
                (version, what), LARGE_MEMO_SIZE)
    return (current_app.extensions.setdefault("remembered", {}),
            (version, int(time.time() // 60), what), MEMO_SIZE)
