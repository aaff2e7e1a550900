"""The one way a page's form takes a step: validate, act in one transaction, say what happened.

Every POST that changes something and comes back to a page goes through `take_step`: the form
is validated, the service runs inside `action()` (all of it kept, or none), a refusal
(`PortalError`) is shown as it is, and the person is sent back (or, for htmx, answered with a
fragment).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect
from flask_babel import gettext as _

from portal.forms import Form
from portal.rules import PortalError
from portal.transaction import action


@dataclass(frozen=True)
class Outcome:
    """What a step came to: done (with what the service returned) or refused (and why)."""

    done: bool
    result: Any = None
    error: str = ""


def attempt(form: Form, perform: Callable[[], Any], invalid: str | None = None) -> Outcome:
    """Validate the form, then perform the step as one action; a refusal changes nothing."""
    if not form.validate_on_submit():
        return Outcome(False, error=invalid or form.error_text()
                       or _("The form expired. Reload the page and try again."))
    try:
        with action():
            result = perform()
    except PortalError as error:
        return Outcome(False, error=str(error))
    return Outcome(True, result=result)


def take_step(form: Form, perform: Callable[[], Any], done: str | Callable[[Any], str], *,
              back: str | Callable[[Outcome], str], invalid: str | None = None,
              fragment: Callable[[Outcome], Any] | None = None):
    """Take a step from a page and answer it.

    done: the message once the step is kept, or a function of what `perform` returned (said
    only once it is kept). back: where to go afterwards, or a function of the outcome.
    invalid: the message for a form that does not validate (default: the form's errors).
    fragment: the answer made from the outcome instead of a message and a redirect (given for
    an htmx request, which swaps it into the page).
    """
    outcome = attempt(form, perform, invalid)
    if fragment is not None:
        return fragment(outcome)
    if outcome.done:
        flash(done(outcome.result) if callable(done) else done, "info")
    else:
        flash(outcome.error, "error")
    return redirect(back(outcome) if callable(back) else back)
