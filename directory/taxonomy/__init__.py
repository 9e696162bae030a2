"""Shared lists: municipalities, focus areas and target groups."""
