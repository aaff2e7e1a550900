"""Build organisations and people for tests through the same services the portal uses."""

import itertools
import time

import pyotp
from flask import current_app
from sqlalchemy import select

from portal.auth import second_factor
from portal.auth import services as auth_services
from portal.auth.models import User
from portal.extensions import db
from portal.organisations import services as organisation_services
from portal.transaction import action

_sequence = itertools.count(1)

# What the tests know of each person's second factor, as the person would: the secret their
# app holds and the recovery codes they wrote down (by e-mail; kept by the factory and by the
# sign-in helpers when they set one up).
TOTP_SECRETS: dict[str, str] = {}
RECOVERY_CODES: dict[str, list[str]] = {}


def remember_second_factor(email: str, secret: str, codes: list[str]) -> None:
    email = auth_services.normalise_email(email)
    TOTP_SECRETS[email] = secret
    RECOVERY_CODES[email] = list(codes)


def second_factor_code(email: str) -> str:
    """A code that signs the person in now, as their phone or their paper would give it.

    The portal accepts the app's code for the current time-step and the next one (clocks
    drift), each once: the helper takes the first of the two not used yet, so signing the same
    person in twice within 30 seconds still works honestly; after that, a recovery code.
    """
    email = auth_services.normalise_email(email)
    totp = pyotp.TOTP(TOTP_SECRETS[email])
    last = db.session.scalar(select(User.totp_last_step).where(User.email == email))
    now = totp.timecode(time.time())
    for step in (now, now + 1):
        if last is None or step > last:
            return totp.generate_otp(step)
    return RECOVERY_CODES[email].pop()


class Factory:
    PASSWORD = "correct horse battery"

    def organisation(self, kind="department", code=None, name=None, parent=None):
        number = next(_sequence)
        code = code or f"T{number}"
        with action():
            return organisation_services.add_organisation(
                code=code, name=name or f"Sở TN&MT thử nghiệm {number}", kind=kind,
                parent=parent)

    def ministry(self):
        return self.organisation(kind="ministry", code="BTNMT", name="Bộ Tài nguyên và Môi trường")

    def user(self, organisation, role="specialist", email=None, password=PASSWORD,
             second_factor_on=None, full_name=None, title="", signs_as="head"):
        """A person; by default with the second factor set up where their role requires it
        (as it is once they have signed in the first time), with an app only the tests see."""
        number = next(_sequence)
        if second_factor_on is None:
            second_factor_on = role in current_app.config["MFA_REQUIRED_ROLES"]
        with action():
            user = auth_services.create_user(
                email=email or f"{role}{number}@example.gov.vn",
                full_name=full_name or f"Người dùng {number}",
                organisation=organisation,
                role=role,
                password=password,
                title=title,
                signs_as=signs_as,
            )
            if second_factor_on:
                secret = pyotp.random_base32()
                codes = second_factor.enrol(user, secret, pyotp.TOTP(secret).now())
                remember_second_factor(user.email, secret, codes)
        return user

    def token(self, user, name="e-office"):
        """An API token of user's, as the account page makes one: (token, secret)."""
        with action():
            return auth_services.issue_token(user, name)

    def document(self, clerk, recipients, *, subject="Về việc báo cáo kết quả thực hiện",
                 doc_type="cong_van", urgency="normal", due_on=None, due_working_days=None,
                 body="Đề nghị Sở báo cáo.", issue=True):
        """A document drafted by the clerk and, unless issue=False, issued and delivered: its
        jobs (render, seal, dispatch, verify) run here, as a worker would run them."""
        from portal.documents import services as documents
        from portal.jobs.runner import run_queued_here

        fields = documents.DraftFields(
            doc_type=doc_type, subject=subject, body=body, urgency=urgency,
            recipient_ids=tuple(o.id for o in recipients), due_on=due_on,
            due_working_days=due_working_days)
        with action():
            document = documents.save_draft(fields, actor=clerk)
        if issue:
            with action():
                documents.issue_document(document, actor=clerk)
            run_queued_here()
        return document

    def delivery(self, document, recipient):
        from sqlalchemy import select

        from portal.deliveries.models import Delivery
        from portal.extensions import db

        return db.session.scalar(select(Delivery).where(Delivery.document_id == document.id,
                                                        Delivery.recipient_id == recipient.id))
