"""Where a redirect may go after a form or a switch: only a path on this site."""


def safe_next(target):
    """`target` when it is a path on this site, else None.

    Refused: other hosts and schemes, protocol-relative `//host`, backslashes (which
    browsers read as slashes) and control characters (browsers drop a tab or newline,
    turning `/\\t/evil` into `//evil`, and a newline would reach the Location header).
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    return target
