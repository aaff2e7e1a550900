"""The models and the migrations agree: autogenerate finds nothing to do."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.extensions import db


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_upgrading_a_database_that_holds_documents_keeps_them(app_config, tmp_path):
    """Every migration after the first documents runs on a database with rows in it.

    (A migration that rebuilt a referenced table on SQLite failed exactly there.)
    """
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from portal import create_app

    if not app_config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PostgreSQL alters tables in place; SQLite's table rebuilds are the risk")
    url = f"sqlite:///{tmp_path / 'upgrade.db'}"
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="21e857820834")  # organisations, documents, deliveries
        _fill(db.session, text)
        upgrade()
        assert db.session.execute(text("SELECT count(*) FROM delivery")).scalar() == 1
        assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
        downgrade(revision="21e857820834")
        db.engine.dispose()


def _fill(session, text):
    session.execute(text("INSERT INTO organisation (id, code, kind, name, created_at) VALUES "
                         "(1, 'VP', 'ministry_unit', 'Văn phòng', '2026-01-01'), "
                         "(2, 'HNI', 'department', 'Sở Hà Nội', '2026-01-01')"))
    session.execute(text("INSERT INTO user (id, email, full_name, role, organisation_id, "
                         "password_hash, active, created_at) VALUES (1, 'a@b.vn', 'A', 'clerk', "
                         "1, 'x', 1, '2026-01-01')"))
    session.execute(text("INSERT INTO document (id, issuer_id, author_id, doc_type, subject, "
                         "body, urgency, signer_name, signer_title, state, recipient_ids, "
                         "search_text, created_at, updated_at) VALUES (1, 1, 1, 'cong_van', 'V/v', "
                         "'', 'normal', '', '', 'issued', '[2]', '', '2026-01-01', '2026-01-01')"))
    session.execute(text("INSERT INTO delivery (id, document_id, recipient_id, channel, status, "
                         "received_at, received_on) VALUES (1, 1, 2, 'portal', '01', "
                         "'2026-01-01', '2026-01-01')"))
    session.commit()
