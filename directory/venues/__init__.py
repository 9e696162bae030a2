"""Meeting places, their rooms, opening hours and closed days."""
