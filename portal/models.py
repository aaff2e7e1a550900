"""Every table of the portal, imported in one place so Alembic and the app see them all."""

from portal.audit.models import AuditEvent
from portal.auth.models import ApiToken, LoginSession, User
from portal.organisations.models import Organisation, OrganisationName

__all__ = ["ApiToken", "AuditEvent", "LoginSession", "Organisation", "OrganisationName", "User"]
