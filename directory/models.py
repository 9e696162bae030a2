"""Every model, imported in dependency order so the metadata is complete."""

from .taxonomy.models import FocusArea, Municipality, TargetGroup  # noqa: F401
from .accounts.models import User  # noqa: F401
from .organisations.models import ImportRun, Membership, Organisation  # noqa: F401
from .venues.models import Closure, OpeningHours, Room, Venue  # noqa: F401
from .activities.models import Activity, Occurrence  # noqa: F401
from .bookings.models import RoomBooking  # noqa: F401
from .venues.occupancy import RoomUse  # noqa: F401
from .signups.models import Signup  # noqa: F401
from .calendars.models import FeedSubscription, Partner  # noqa: F401
from .audit.models import AuditEvent  # noqa: F401
from .geo.models import GeocodeCache  # noqa: F401
from .messages.models import Message  # noqa: F401
from .common.caching import DataVersion  # noqa: F401
