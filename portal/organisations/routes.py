from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portal import policy
from portal.auth.models import User
from portal.auth.services import people_of, set_title
from portal.clock import local_today
from portal.documents import numbering
from portal.documents.forms import ActionForm
from portal.extensions import db
from portal.organisations import merging, services
from portal.organisations.forms import (
    CHANNEL_LABELS,
    KIND_LABELS,
    AxisForm,
    MergeForm,
    NotationForm,
    OrganisationForm,
    RenameForm,
    TitleForm,
)
from portal.organisations.models import Organisation, OrganisationKind, final_successor
from portal.rules import PortalError
from portal.signing.images import image_of
from portal.web import step_on_page, take_step

bp = Blueprint("organisations", __name__, url_prefix="/organisations")

@bp.get("/")
@login_required
def index():
    """The directory of organisations, filterable by kind."""
    kind = request.args.get("kind") or None
    if kind not in KIND_LABELS:
        kind = None
    organisations = services.list_organisations(kind)
    external = [o for o in organisations if o.kind == OrganisationKind.EXTERNAL]
    organisations = [o for o in organisations if o.kind != OrganisationKind.EXTERNAL]
    template = "organisations/_table.html" if request.htmx else "organisations/index.html"
    return render_template(template, organisations=organisations, external=external,
                           kind=kind, kind_labels=KIND_LABELS, channel_labels=CHANNEL_LABELS)


@bp.get("/<int:organisation_id>")
@login_required
def show(organisation_id):
    """One organisation: its names over time, merge, and its people."""
    organisation = policy.visible_or_404(Organisation, organisation_id,
                                         policy.can_view_organisation)
    return render_template("organisations/show.html", organisation=organisation,
                           people=people_of(organisation), kind_labels=KIND_LABELS,
                           channel_labels=CHANNEL_LABELS,
                           successor=final_successor(organisation),
                           notations=_notation_examples(organisation),
                           seal_image=image_of(organisation_id=organisation.id))


def _notation_examples(organisation) -> list[str]:
    return [numbering.notation_for(12, doc_type, organisation)
            for doc_type in ("cong_van", "quyet_dinh")]


def _parent_choices():
    ministry_side = [o for o in services.list_organisations(include_merged=False)
                     if o.kind in policy.MINISTRY_SIDE]
    return [SelectChoice(0, "—")] + [SelectChoice(o.id, o.name) for o in ministry_side]


@bp.route("/new", methods=["GET", "POST"])
@login_required
@policy.permission_required(policy.can_manage_organisations)
def create():
    """Add an organisation."""
    form = OrganisationForm()
    form.parent_id.choices = _parent_choices()

    def add():
        parent = db.session.get(Organisation, form.parent_id.data) if form.parent_id.data else None
        return services.add_organisation(code=form.code.data, name=form.name.data,
                                         kind=form.kind.data, parent=parent, actor=current_user,
                                         since=local_today())
    return step_on_page(
        form, add, lambda organisation: _("Organisation %(name)s added.", name=organisation.name),
        back=lambda organisation: url_for(".show", organisation_id=organisation.id),
        page=lambda: render_template("organisations/new.html", form=form), refused_at=form.code)


def _change_form(template, form, organisation, error_field, change, done_message, **page):
    """Apply a validated change form, or show it again with the error (400 after a POST)."""
    return step_on_page(
        form, change, done_message, back=url_for(".show", organisation_id=organisation.id),
        page=lambda: render_template(template, form=form, organisation=organisation, **page),
        refused_at=error_field)


@bp.route("/<int:organisation_id>/rename", methods=["GET", "POST"])
@login_required
@policy.permission_required(policy.can_manage_organisations)
def rename(organisation_id):
    """Rename an organisation from a given day; history keeps the old name."""
    organisation = db.get_or_404(Organisation, organisation_id)
    form = RenameForm()
    if request.method == "GET":
        form.effective_on.data = local_today()
    return _change_form(
        "organisations/rename.html", form, organisation, form.name,
        lambda: services.rename_organisation(organisation, form.name.data,
                                             effective_on=form.effective_on.data,
                                             actor=current_user),
        _("Organisation renamed."))


@bp.route("/<int:organisation_id>/notation", methods=["GET", "POST"])
@login_required
@policy.permission_required(policy.can_manage_organisations)
def notation(organisation_id):
    """How the organisation's document notations are written (số / ký hiệu)."""
    organisation = db.get_or_404(Organisation, organisation_id)
    form = NotationForm()
    if request.method == "GET":
        form.letter_format.data, form.other_format.data = numbering.formats_of(organisation)
    return _change_form(
        "organisations/notation.html", form, organisation,
        lambda error: form.letter_format if error.for_letters else form.other_format,
        lambda: services.set_notation_formats(organisation, form.letter_format.data,
                                              form.other_format.data, actor=current_user),
        _("Notation format saved."), notations=_notation_examples(organisation))


@bp.route("/<int:organisation_id>/axis", methods=["GET", "POST"])
@login_required
@policy.permission_required(policy.can_manage_organisations)
def axis(organisation_id):
    """The national identifier, the channel (portal or axis) and the contact details."""
    organisation = db.get_or_404(Organisation, organisation_id)
    form = AxisForm(obj=organisation)
    if request.method == "GET":
        form.channel.data = organisation.channel
    return _change_form(
        "organisations/axis.html", form, organisation,
        lambda error: form.email if isinstance(error, services.ContactError) else form.organ_id,
        lambda: services.set_axis_details(
            organisation, organ_id=form.organ_id.data, channel=form.channel.data,
            address=form.address.data, email=form.email.data,
            telephone=form.telephone.data, actor=current_user),
        _("The national identifier and channel of %(name)s were saved.",
          name=organisation.name))


@bp.route("/<int:organisation_id>/merge", methods=["GET", "POST"])
@login_required
@policy.permission_required(policy.can_manage_organisations)
def merge(organisation_id):
    """Merge an organisation into a successor from a given day."""
    organisation = db.get_or_404(Organisation, organisation_id)
    form = MergeForm()
    form.successor_id.choices = [
        SelectChoice(o.id, f"{o.name} ({o.code})")
        for o in services.list_organisations(organisation.kind, include_merged=False)
        if o.id != organisation.id and o.successor_id is None
    ]
    if request.method == "GET":
        form.effective_on.data = local_today()
    if form.validate_on_submit():
        successor = db.session.get(Organisation, form.successor_id.data)
        try:
            services.check_merge(organisation, successor, form.effective_on.data)
        except PortalError as error:
            form.successor_id.errors.append(str(error))
        else:
            if form.confirmed.data != "yes":
                return render_template(
                    "organisations/merge_confirm.html", form=form, organisation=organisation,
                    successor=successor,
                    preview=merging.preview_merge(organisation, successor,
                                                  form.effective_on.data))
            return _merge(organisation, successor, form)
    status = 400 if request.method == "POST" else 200
    return render_template("organisations/merge.html", form=form,
                           organisation=organisation), status


def _merge(organisation, successor, form):
    return take_step(
        None, lambda: services.merge_organisation(organisation, successor,
                                                  effective_on=form.effective_on.data,
                                                  actor=current_user),
        _("Organisation merged."),
        back=lambda outcome: url_for(".show" if outcome.done else ".merge",
                                     organisation_id=organisation.id))


@bp.route("/<int:organisation_id>/unmerge", methods=["GET", "POST"])
@login_required
@policy.permission_required(policy.can_manage_organisations)
def unmerge(organisation_id):
    """Undo a merge entered by mistake, while nothing has been done under it (confirmed)."""
    organisation = db.get_or_404(Organisation, organisation_id)
    form = ActionForm()
    return step_on_page(
        form, lambda: merging.undo_merge(organisation, actor=current_user),
        lambda count: _("Merge undone: %(name)s stands alone again and has %(n)s documents "
                        "back.", name=organisation.name, n=count),
        back=url_for(".show", organisation_id=organisation.id),
        page=lambda: render_template("organisations/unmerge.html", organisation=organisation,
                                     form=form, check=merging.check_undo(organisation)),
        status=200)


@bp.route("/people/<int:user_id>/title", methods=["GET", "POST"])
@login_required
@policy.permission_required(policy.can_manage_organisations)
def person_title(user_id):
    """A person's title and how they sign, as printed above their name when they sign."""
    person = db.get_or_404(User, user_id)
    form = TitleForm(obj=person)
    return _change_form(
        "organisations/title.html", form, person.organisation, form.title,
        lambda: set_title(person, title=form.title.data or "", signs_as=form.signs_as.data,
                          actor=current_user),
        _("The title of %(name)s was saved.", name=person.full_name), person=person)
