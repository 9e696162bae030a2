"""SMS segments: a message fits one or two, counted as the phone network counts."""

# The GSM 03.38 basic alphabet (one unit each) and its extension table (two units).
GSM_BASIC = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
                "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENDED = set("^{}\\[~]|€\f")
MAX_SEGMENTS = 2


def units(text):
    """(units, per_single, per_part): GSM-7 septets or UCS-2 code units."""
    if all(c in GSM_BASIC or c in GSM_EXTENDED for c in text):
        return sum(2 if c in GSM_EXTENDED else 1 for c in text), 160, 153
    return len(text.encode("utf-16-le")) // 2, 70, 67


def segments(text):
    """How many SMS segments `text` takes."""
    count, single, part = units(text)
    if count <= single:
        return 1
    return -(-count // part)


def fit_sms(text):
    """`text` within two segments: the last line (the link) stays whole, the words
    before it are shortened with ... until they fit."""
    if segments(text) <= MAX_SEGMENTS:
        return text
    head, _, link = text.rpartition("\n")
    while head and segments(head + "...\n" + link) > MAX_SEGMENTS:
        head = head[:-1]
    return (head.rstrip() + "...\n" + link) if head else link[:MAX_SEGMENTS * 67]
