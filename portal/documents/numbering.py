"""Gap-free document numbers: per organisation, per calendar year, from 1.

The number is taken by an UPDATE … RETURNING on the organisation's register row inside the
issuing transaction. PostgreSQL locks that row until the transaction ends, so concurrent
clerks queue; SQLite takes its single write lock. A transaction that fails rolls its number
back with it, so no number is lost and none is given twice.
"""

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from portal.documents.models import TYPE_ABBREVIATIONS, NumberRegister
from portal.extensions import db

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def next_number(organisation_id: int, year: int) -> int:
    """Take the organisation's next number for the year (within the caller's transaction)."""
    insert = _INSERTS[db.session.get_bind().dialect.name]
    db.session.execute(
        insert(NumberRegister)
        .values(organisation_id=organisation_id, year=year, last_number=0)
        .on_conflict_do_nothing()
    )
    return db.session.execute(
        update(NumberRegister)
        .where(NumberRegister.organisation_id == organisation_id, NumberRegister.year == year)
        .values(last_number=NumberRegister.last_number + 1)
        .returning(NumberRegister.last_number)
    ).scalar_one()


def notation_for(number: int, doc_type: str, issuer) -> str:
    """Số / ký hiệu as Decree 30 writes it: 12/BTNMT-VP for a letter, 12/QĐ-BTNMT otherwise.

    A ministry unit's documents carry the ministry's code before the unit's.
    """
    body = issuer.code
    if issuer.parent is not None:
        body = f"{issuer.parent.code}-{issuer.code}"
    abbreviation = TYPE_ABBREVIATIONS.get(doc_type, "")
    return f"{number}/{abbreviation}-{body}" if abbreviation else f"{number}/{body}"
