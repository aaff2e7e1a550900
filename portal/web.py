"""The one way a page's form takes a step: validate, act in one transaction, say what happened.

Every POST that changes something and comes back to a page goes through `take_step`: the form
is validated, the service runs inside `action()` (all of it kept, or none), a refusal
(`PortalError`) is shown as it is, and the person is sent back (or, for htmx, answered with a
fragment). A form on a page of its own, shown again with its errors when the step is not
taken, goes through `step_on_page`; a route that answers in a way of its own (sign-in) calls
`attempt` and reads the `Outcome`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, request
from flask_babel import gettext as _
from wtforms import Field

from portal.forms import Form
from portal.rules import PortalError
from portal.transaction import action


@dataclass(frozen=True)
class Outcome:
    """What a step came to: done (with what the service returned) or not (and why).

    refusal: the service's refusal, when it refused (None when the form did not validate)."""

    done: bool
    result: Any = None
    error: str = ""
    refusal: PortalError | None = None

    def show_refusal_under(self, field: Field) -> None:
        """Show the service's refusal, if it refused, under the form's field."""
        if self.refusal is not None:
            field.errors.append(self.error)


def attempt(form: Form | None, perform: Callable[[], Any],
            invalid: str | None = None) -> Outcome:
    """Validate the form, then perform the step as one action; a refusal changes nothing.

    form None: nothing to validate here (the step has no fields, or its form was validated
    already; the CSRF token of every POST is checked before any route runs)."""
    if form is not None and not form.validate_on_submit():
        return Outcome(False, error=invalid or form.error_text()
                       or _("The form expired. Reload the page and try again."))
    try:
        with action():
            result = perform()
    except PortalError as error:
        return Outcome(False, error=str(error), refusal=error)
    return Outcome(True, result=result)


def _said(done: str | Callable[[Any], str], result: Any) -> str:
    return done(result) if callable(done) else done


def take_step(form: Form | None, perform: Callable[[], Any],
              done: str | Callable[[Any], str], *,
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
        flash(_said(done, outcome.result), "info")
    else:
        flash(outcome.error, "error")
    return redirect(back(outcome) if callable(back) else back)


def step_on_page(form: Form, perform: Callable[[], Any], done: str | Callable[[Any], str], *,
                 back: str | Callable[[Any], str], page: Callable[[], Any],
                 refused_at: Field | Callable[[PortalError], Field] | None = None,
                 status: int = 400):
    """Take a step from a form on a page of its own: once kept, say `done` and go `back` (a
    URL, or a function of what `perform` returned); otherwise show `page()` again, for a GET
    (200) or after a POST (`status`) with the form's errors.

    refused_at: the field (or a function of the refusal giving it) under which a refusal is
    shown; None flashes it.
    """
    outcome = attempt(form, perform)
    if outcome.done:
        flash(_said(done, outcome.result), "info")
        return redirect(back(outcome.result) if callable(back) else back)
    if outcome.refusal is not None:
        if refused_at is None:
            flash(outcome.error, "error")
        else:
            outcome.show_refusal_under(refused_at if isinstance(refused_at, Field)
                                       else refused_at(outcome.refusal))
    return page(), (status if request.method == "POST" else 200)
