"""Every table of the portal, imported in one place so Alembic and the app see them all."""

from portal.audit.models import AuditEvent
from portal.auth.models import ApiToken, LoginSession, RecoveryCode, User
from portal.calendar.models import CalendarOverride
from portal.deliveries.models import Delivery, DeliveryEvent, InboxTally, IncomingRegister
from portal.documents.models import Document, DocumentAttachment, NumberRegister
from portal.interop.models import AxisDocument, AxisMessage, AxisToken
from portal.jobs.models import Job
from portal.leaderboard.models import DailyTally, OversightSettings, StaleDay, TallyChange
from portal.once import Submission
from portal.organisations.models import Organisation, OrganisationName
from portal.signing.models import SigningIdentity, TrustedRoot, Verification
from portal.storage.models import StoredFile

__all__ = ["ApiToken", "AuditEvent", "AxisDocument", "AxisMessage", "AxisToken",
           "CalendarOverride", "DailyTally", "Delivery", "DeliveryEvent", "Document",
           "DocumentAttachment", "InboxTally", "IncomingRegister", "Job", "LoginSession",
           "NumberRegister", "Organisation", "OrganisationName", "OversightSettings",
           "RecoveryCode", "SigningIdentity", "StaleDay", "StoredFile", "Submission",
           "TallyChange", "TrustedRoot", "User", "Verification"]
