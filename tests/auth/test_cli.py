from sqlalchemy import select

from portal.auth.models import ApiToken, User
from portal.auth.services import user_for_token
from portal.extensions import db


def test_users_create_makes_a_person_with_a_hashed_password(runner, make):
    make.organisation(code="NB")
    result = runner.invoke(args=["users", "create", "--email", "Clerk@NB.gov.vn", "--org", "nb",
                                 "--role", "clerk", "--password", "a long passphrase"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "clerk@nb.gov.vn"))
    assert user.role == "clerk" and user.organisation.code == "NB"
    assert user.password_hash.startswith("$argon2id$")


def test_users_create_refuses_unknown_organisation_and_misplaced_roles(runner, make):
    make.organisation(code="NB")
    unknown = runner.invoke(args=["users", "create", "--email", "a@b.vn", "--org", "XX",
                                  "--role", "clerk", "--password", "p"])
    assert unknown.exit_code != 0 and "no organisation" in unknown.output
    reviewer = runner.invoke(args=["users", "create", "--email", "a@b.vn", "--org", "NB",
                                   "--role", "reviewer", "--password", "p"])
    assert reviewer.exit_code != 0
    assert db.session.scalar(select(User)) is None


def test_users_create_refuses_a_password_shorter_than_12_characters(runner, make):
    make.organisation(code="NB")
    result = runner.invoke(args=["users", "create", "--email", "a@nb.gov.vn", "--org", "NB",
                                 "--role", "clerk", "--password", "eleven char"])
    assert result.exit_code != 0 and "12" in result.output
    assert db.session.scalar(select(User)) is None


def test_users_reset_second_factor_clears_it_and_is_audited(runner, make):
    from portal.audit.models import AuditEvent

    admin = make.user(make.ministry(), role="admin")
    result = runner.invoke(args=["users", "reset-second-factor", admin.email])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert not db.session.get(User, admin.id).has_second_factor
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.mfa_reset"))
    assert event.actor_id is None and event.ip_address == "cli"
    assert runner.invoke(args=["users", "reset-second-factor", "nobody@x.vn"]).exit_code != 0


def test_users_token_prints_a_working_token_once(runner, make):
    user = make.user(make.organisation())
    result = runner.invoke(args=["users", "token", user.email])
    secret = result.output.strip()
    assert result.exit_code == 0 and secret.startswith("ptl_")
    assert user_for_token(secret).id == user.id
    stored = db.session.scalar(select(ApiToken))
    assert stored.token_hash != secret
