"""What happened to a date, for the domains above that act on it.

The activities domain says a date was cancelled or moved; the sign-ups domain (above
it) tells the people signed up, in the same transaction. The domain that changes the
date never needs to know who listens.
"""

from blinker import Namespace

_events = Namespace()

# sender: the Occurrence; the receivers run inside the transaction that changed it.
date_cancelled = _events.signal("date-cancelled")
# sender: the Occurrence; `series=True` when the activity's schedule moved it.
date_moved = _events.signal("date-moved")
