"""Secret tokens as they are stored: only a hash, so the database alone reveals no link."""

import hashlib


def hash_token(token):
    """The SHA-256 of a token, in hex: what the database keeps of a sign-up's or a feed's
    secret link."""
    return hashlib.sha256(token.encode()).hexdigest()
