"""The public pages: home, organisations, activities, venues."""
