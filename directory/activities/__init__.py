"""Activities organisations offer, and their dated occurrences."""
