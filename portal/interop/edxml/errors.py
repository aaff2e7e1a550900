"""The one refusal of the edXML reader and signature check: its text is the reason, shown to
the sender (400) and sent back in status 02."""

from portal.rules import PortalError


class EdxmlError(PortalError):
    """A message the portal refuses to read; the text says why, in the reader's language."""
