"""The JSON API v1, read without an account."""
