"""Calendar feeds, public and for LÖK partners."""
