"""A page of the audit trail as a person reads it: the action in words, the organisation, the
object and the objects the details name, each by its name and linked to its page where the
viewer may open that page. Everything a page names is loaded at once, one query per kind of
object, whatever the number of rows."""

from collections import defaultdict
from dataclasses import dataclass, field

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import policy
from portal.audit.labels import OBJECT_LABELS, action_label, detail_label
from portal.auth.models import ApiToken, User
from portal.calendar.forms import OVERRIDE_KIND_LABELS
from portal.calendar.models import CalendarOverride
from portal.deliveries.models import STATUS_LABELS, Delivery
from portal.documents.models import Document
from portal.extensions import db
from portal.jobs.models import JOB_KIND_LABELS, JOB_STATE_LABELS, Job
from portal.leaderboard.assessments import KIND_LABELS as ASSESSMENT_KIND_LABELS
from portal.leaderboard.models import Assessment, OversightSettings
from portal.organisations.forms import KIND_LABELS as ORGANISATION_KIND_LABELS
from portal.organisations.models import Organisation, OrganisationKind
from portal.signing.models import SigningIdentity, TrustedRoot

# The kinds of object an entry can name, with what to load beside each.
MODELS = {
    "ApiToken": (ApiToken, ()),
    "Assessment": (Assessment, (joinedload(Assessment.organisation),)),
    "CalendarOverride": (CalendarOverride, ()),
    "Delivery": (Delivery, (joinedload(Delivery.recipient),
                            joinedload(Delivery.document).joinedload(Document.issuer))),
    "Document": (Document, (joinedload(Document.issuer),)),
    "Job": (Job, ()),
    "Organisation": (Organisation, ()),
    "OversightSettings": (OversightSettings, ()),
    "SigningIdentity": (SigningIdentity, ()),
    "TrustedRoot": (TrustedRoot, ()),
    "User": (User, (joinedload(User.organisation),)),
}
# Details that name an object by its id, and those that name an organisation by its code.
DETAIL_IDS = {"document_id": "Document", "delivery_id": "Delivery", "deliveries": "Delivery",
              "passed_on": "Delivery", "given_back": "Delivery",
              "department_id": "Organisation", "people": "User", "people_back": "User",
              "keys_retired": "SigningIdentity", "retired": "SigningIdentity"}
DETAIL_CODES = ("department", "into")
NAMED_AT_MOST = 20  # of a list of objects (a recomputation may move thousands of deadlines)


@dataclass(frozen=True)
class Named:
    """An object as the page names it: its words, and its page if the viewer may open it."""
    text: str
    url: str | None = None


@dataclass
class EventRow:
    event: object
    action: str
    organisation: Named | None
    object: Named | None
    details: list[tuple[str, str | Named | list[Named]]] = field(default_factory=list)


class _Loaded:
    """The objects a page of events names, loaded in bulk."""

    def __init__(self, events, viewer):
        wanted: dict[str, set[int]] = defaultdict(set)
        codes: set[str] = set()
        for event in events:
            if event.object_type in MODELS and str(event.object_id or "").isdigit():
                wanted[event.object_type].add(int(event.object_id))
            for key, value in (event.details or {}).items():
                if key in DETAIL_IDS:
                    wanted[DETAIL_IDS[key]].update(_ids(value))
                elif key in DETAIL_CODES and isinstance(value, str):
                    codes.add(value)
        self.objects = {kind: {o.id: o for o in _load(kind, ids)} for kind, ids in wanted.items()}
        self.by_code = {o.code: o for o in db.session.scalars(
            select(Organisation).where(Organisation.code.in_(codes)))} if codes else {}
        documents = [*self.objects.get("Document", {}).values(),
                     *(d.document for d in self.objects.get("Delivery", {}).values())]
        self.trackable = policy.trackable_document_ids(viewer, documents)
        self.viewer = viewer

    def get(self, kind: str, object_id) -> object | None:
        found = str(object_id or "").isdigit()
        return self.objects.get(kind, {}).get(int(object_id)) if found else None


def _ids(value) -> list[int]:
    """The ids a detail holds: one, or the first NAMED_AT_MOST of a list of them."""
    values = value[:NAMED_AT_MOST] if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


def _load(kind: str, ids: set[int]):
    model, options = MODELS[kind]
    return db.session.scalars(select(model).options(*options).where(model.id.in_(ids))).unique()


def event_rows(events, viewer) -> list[EventRow]:
    """The page's events, ready to show to the viewer."""
    loaded = _Loaded(events, viewer)
    return [EventRow(event=e, action=action_label(e.action),
                     organisation=_organisation(e.organisation, loaded) if e.organisation
                     else None,
                     object=_object(e.object_type, e.object_id, loaded),
                     details=[(detail_label(e.action, key), _value(e.action, key, value, loaded))
                              for key, value in (e.details or {}).items()])
            for e in events]


def _organisation(organisation, loaded) -> Named:
    visible = policy.can_view_organisation(loaded.viewer, organisation)
    return Named(organisation.name, url_for("organisations.show", organisation_id=organisation.id)
                 if visible else None)


def _document(document, loaded) -> Named:
    text = document.notation or _("Draft: %(subject)s", subject=document.subject)
    return Named(text, url_for("documents.show", document_id=document.id)
                 if document.id in loaded.trackable else None)


def _object(kind, object_id, loaded) -> Named | None:
    if not kind:
        return None
    found = loaded.get(kind, object_id) if kind in MODELS else None
    label = str(OBJECT_LABELS.get(kind, kind))
    if found is None:  # deleted since, or a kind with nothing more to say
        return Named(_("%(kind)s no. %(id)s (no longer exists)", kind=label, id=object_id)
                     if kind in MODELS else label)
    return _NAMERS[kind](found, loaded)


def _delivery(delivery, loaded) -> Named:
    document = _document(delivery.document, loaded)
    url = (url_for("deliveries.show", delivery_id=delivery.id)
           if policy.can_view_delivery(loaded.viewer, delivery) else document.url)
    return Named(f"{document.text} → {delivery.recipient.name}", url)


def _assessment(assessment, loaded) -> Named:
    organisation = assessment.organisation
    visible = (organisation.kind == OrganisationKind.DEPARTMENT
               and policy.can_view_department_record(loaded.viewer, organisation))
    return Named(_("Assessment of %(name)s", name=organisation.name),
                 url_for("leaderboard.department", organisation_id=organisation.id)
                 if visible else None)


def _person(user, loaded) -> Named:
    """A person by name; their organisation's page lists them."""
    visible = policy.can_view_organisation(loaded.viewer, user.organisation)
    return Named(f"{user.full_name} ({user.email})",
                 url_for("organisations.show", organisation_id=user.organisation_id)
                 if visible else None)


def _page_for(check, endpoint):
    """A namer for objects shown on one administration page."""
    def name(text_of):
        return lambda obj, loaded: Named(text_of(obj), url_for(endpoint)
                                         if check(loaded.viewer) else None)
    return name


_keys_page = _page_for(policy.can_manage_keys, "signing.index")
_NAMERS = {
    "ApiToken": lambda token, _loaded: Named(_("API token “%(name)s”", name=token.name)),
    "Assessment": _assessment,
    "CalendarOverride": _page_for(policy.can_manage_calendar, "calendar.index")(
        lambda day: day.day.strftime("%d/%m/%Y")),
    "Delivery": _delivery,
    "Document": _document,
    "Job": _page_for(policy.can_manage_jobs, "jobs.index")(
        lambda job: _("Background job no. %(id)s", id=job.id)),
    "Organisation": _organisation,
    "OversightSettings": _page_for(policy.can_manage_oversight_settings, "leaderboard.thresholds")(
        lambda _settings: str(OBJECT_LABELS["OversightSettings"])),
    "SigningIdentity": _keys_page(lambda identity: identity.label),
    "TrustedRoot": _keys_page(lambda root: root.name),
    "User": lambda user, loaded: _person(user, loaded),
}


# Details that hold a code of the portal's own, said in words: (family of actions, key).
_VALUE_LABELS = {
    ("assessment", "kind"): ASSESSMENT_KIND_LABELS,
    ("calendar", "kind"): OVERRIDE_KIND_LABELS,
    ("delivery", "from"): STATUS_LABELS,
    ("delivery", "to"): STATUS_LABELS,
    ("job", "from"): JOB_STATE_LABELS,
    ("job", "kind"): JOB_KIND_LABELS,
    ("organisation", "kind"): ORGANISATION_KIND_LABELS,
    ("user", "role"): policy.ROLE_LABELS,
}


def _value(action: str, key: str, value, loaded) -> str | Named | list[Named]:
    if key in DETAIL_IDS and _ids(value):
        named = [_object(DETAIL_IDS[key], i, loaded) for i in _ids(value)]
        if not isinstance(value, list):
            return named[0]
        more = len(value) - len(named)
        return [*named, _("and %(n)s more", n=more)] if more > 0 else named
    if key in DETAIL_CODES and value in loaded.by_code:
        return _organisation(loaded.by_code[value], loaded)
    labels = _VALUE_LABELS.get((action.partition(".")[0], key), {})
    if isinstance(value, str) and value in labels:
        return (f"{value} · {labels[value]}" if labels is STATUS_LABELS  # "03 · Đã tiếp nhận"
                else str(labels[value]))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "; ".join(_plain(item) for item in value)
    return _plain(value)


def _plain(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return "" if value is None else str(value)
