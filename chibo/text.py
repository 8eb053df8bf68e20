"""Vietnamese text helpers shared by every app."""

import unicodedata

# "đ" is a letter of its own, not "d" with a mark: NFD leaves it whole, so map it by hand.
_D_MAP = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Return text lower-cased without diacritics: "Nguyễn Văn Đức" -> "nguyen van duc"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(bare.lower().split())


def mask(value: str, keep_start: int = 3, keep_end: int = 3) -> str:
    """Return value with its middle hidden, for IDs and phone numbers shown by default."""
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "•" * len(value)
    return value[:keep_start] + "•" * (len(value) - keep_start - keep_end) + value[-keep_end:]
