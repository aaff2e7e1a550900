"""Vietnamese alphabetical order, by ICU's rules for "vi", the same in Python and in SQL.

A Ă Â B C D Đ E Ê G H I K L M N O Ô Ơ P Q R S T U Ư V X Y; the tones count only after the
letters ("Bạc Liêu" before "Bắc Giang" before "Bình Định"). Code points put Đ after Y and
"Bạc" after "Bình", so every list of organisations or people is ordered here:
`sort_key` for lists sorted in Python, `by_name(column)` for SQL's ORDER BY. The database
knows the order under the collation name VIETNAMESE: PostgreSQL as an ICU collation (made by a
migration), SQLite as a function registered on every connection (`register_sqlite`).
"""

import threading

import icu

VIETNAMESE = "vietnamese"
_local = threading.local()  # an ICU collator is not to be shared between threads


def _collator() -> icu.Collator:
    collator = getattr(_local, "collator", None)
    if collator is None:
        collator = _local.collator = icu.Collator.createInstance(icu.Locale("vi"))
    return collator


def sort_key(text: str | None) -> bytes:
    """The key that sorts text in Vietnamese order."""
    return _collator().getSortKey(text or "")


def compare(left: str, right: str) -> int:
    """-1, 0 or 1 as left sorts before, with or after right."""
    return _collator().compare(left, right)


def by_name(column):
    """The column under the Vietnamese collation, for ORDER BY."""
    return column.collate(VIETNAMESE)


def register_sqlite(connection) -> None:
    """Teach a new SQLite connection the order (PostgreSQL has it from the migration)."""
    connection.create_collation(VIETNAMESE, compare)
