"""The axis's job: POST one outbound message's stored XML to the national axis (`axis_send`).

The message's row is the truth. A run claims it by a conditional UPDATE that only a message
not yet taken by the axis passes, so a message `sent` is never POSTed again; a 2xx answer
marks it sent, committed with the job's end. Any other outcome (refused, 5xx, a timeout, no
answer, no AXIS_URL) is written on the message at once and the job goes back with a doubling
wait (jobs.runner.TryAgainLater); after its last attempt the message is `failed`, and a
person's retry (the jobs page, the tracking page) sends it again.
"""

import urllib.error
import urllib.parse
import urllib.request

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import update

from portal.clock import utcnow
from portal.extensions import db
from portal.interop.models import AxisMessage, MessageState
from portal.jobs.runner import TryAgainLater, handles, last_attempt
from portal.storage.services import path_of

XML = "application/xml"


class AxisRefused(Exception):
    """The axis did not take the message; the text says why (shown on the pages)."""

    def __init__(self, reason: str, http_status: int | None = None):
        super().__init__(reason)
        self.http_status = http_status


@handles("axis_send")
def send_message(job) -> None:
    """POST the message to the axis once; a message already taken is left alone."""
    claimed = db.session.execute(
        update(AxisMessage).where(AxisMessage.id == job.message_id,
                                  AxisMessage.state.in_((MessageState.PENDING,
                                                         MessageState.FAILED)))
        .values(attempts=AxisMessage.attempts + 1)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return  # sent by a run before
    message = db.session.get(AxisMessage, job.message_id)
    db.session.refresh(message)
    try:
        http_status = post(message)
    except AxisRefused as refusal:
        _record_failure(message, refusal, final=last_attempt(job))
        raise TryAgainLater(str(refusal)) from refusal
    db.session.execute(update(AxisMessage).where(AxisMessage.id == message.id).values(
        state=MessageState.SENT, sent_at=utcnow(), http_status=http_status, error=None))


def _record_failure(message: AxisMessage, refusal: AxisRefused, *, final: bool) -> None:
    """Written and committed now: the runner rolls the run back before putting it back."""
    db.session.execute(update(AxisMessage).where(
        AxisMessage.id == message.id, AxisMessage.state != MessageState.SENT).values(
        state=MessageState.FAILED if final else MessageState.PENDING,
        http_status=refusal.http_status, error=str(refusal)[:1000]))
    db.session.commit()


def post(message: AxisMessage) -> int:
    """POST the stored XML to AXIS_URL; the 2xx status, or AxisRefused with the reason."""
    config = current_app.config
    url = config["AXIS_URL"]
    if not url:
        raise AxisRefused(_("No axis address is set (AXIS_URL): the message waits."))
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise AxisRefused(_("The axis address (AXIS_URL) is not an http or https address."))
    headers = {"Content-Type": XML, "Content-Length": str(message.file.size)}
    if config["AXIS_TOKEN"]:
        headers["Authorization"] = f"Bearer {config['AXIS_TOKEN']}"
    try:
        with path_of(message.file).open("rb") as body:
            request = urllib.request.Request(  # noqa: S310 (http or https, checked above)
                url, data=body, headers=headers, method="POST")
            with urllib.request.urlopen(  # noqa: S310
                    request, timeout=config["AXIS_TIMEOUT_SECONDS"]) as answer:
                return answer.status
    except urllib.error.HTTPError as error:
        raise AxisRefused(_("The axis answered %(status)s: %(reason)s", status=error.code,
                            reason=_said(error)), error.code) from error
    except TimeoutError as error:
        raise AxisRefused(_("The axis did not answer within %(n)s seconds.",
                            n=config["AXIS_TIMEOUT_SECONDS"])) from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError):
            raise AxisRefused(_("The axis did not answer within %(n)s seconds.",
                                n=config["AXIS_TIMEOUT_SECONDS"])) from error
        raise AxisRefused(_("The axis could not be reached: %(reason)s",
                            reason=reason)) from error


def _said(error: urllib.error.HTTPError) -> str:
    """The first words of the axis's answer (its reason), or the HTTP reason phrase."""
    try:
        text = error.read(300).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return " ".join(text.split()) or str(error.reason)
