"""Newcomers' sign-ups for occurrences, with a waiting list."""
