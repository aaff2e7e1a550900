"""The one base of every refusal a rule makes: an edge catches `PortalError` and shows it."""


class PortalError(ValueError):
    """A step the portal's rules do not allow now; the message is shown to the person as it is.

    Raised by services before or after they changed anything: the edge that called them (a
    request, a job, a command) rolls the whole action back (`portal.transaction.action`).
    """
