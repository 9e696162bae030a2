"""Approve the given bookings from a process of its own; prints one result per line.

    python -m tests.booking_worker DATABASE_URI ID [ID …]
"""

import sys

from directory import create_app
from directory.bookings.models import RoomBooking
from directory.bookings.services import BookingConflict, approve_booking
from directory.extensions import db
from tests.conftest import config_for_tests

if __name__ == "__main__":
    app = create_app(config_for_tests(sys.argv[1]))
    with app.app_context():
        for booking_id in map(int, sys.argv[2:]):
            try:
                approve_booking(db.session.get(RoomBooking, booking_id), None)
                db.session.commit()
                print(booking_id, "approved", flush=True)
            except BookingConflict:
                db.session.rollback()
                print(booking_id, "conflict", flush=True)
