"""Room bookings at meeting places."""
