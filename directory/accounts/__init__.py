"""People who log in: staff (coordinators), organisation members and partners."""
