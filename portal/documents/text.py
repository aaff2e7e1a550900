"""Text helpers for documents: Unicode normal form and diacritic-free search keys."""

import unicodedata


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def fold(text: str) -> str:
    """Lowercase ASCII for search: "Quyết định số 12/QĐ" → "quyet dinh so 12/qd"."""
    decomposed = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())
