from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import HiddenField, SelectChoice, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from portal.auth.models import SIGNS_AS_LABELS
from portal.forms import DateField, Form, SelectField
from portal.organisations.models import OrganisationChannel, OrganisationKind

KIND_LABELS = {
    OrganisationKind.MINISTRY: _l("Ministry"),
    OrganisationKind.MINISTRY_UNIT: _l("Ministry unit"),
    OrganisationKind.DEPARTMENT: _l("Provincial department"),
    OrganisationKind.EXTERNAL: _l("Outside the portal (known from the axis)"),
}
# The kinds an administrator adds here; an external one is recorded from the axis.
ADDED_KINDS = (OrganisationKind.MINISTRY, OrganisationKind.MINISTRY_UNIT,
               OrganisationKind.DEPARTMENT)

CHANNEL_LABELS = {
    OrganisationChannel.PORTAL: _l("Portal: its people work here"),
    OrganisationChannel.AXIS: _l("National axis: its own system receives"),
}


class OrganisationForm(Form):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=20),
                    Regexp(r"^[A-Za-z0-9Đđ-]+$", message=_l("Letters, digits and hyphens only."))],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=255)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, KIND_LABELS[k]) for k in ADDED_KINDS])
    parent_id = SelectField(_l("Belongs to"), coerce=int, validators=[Optional()])


class AxisForm(Form):
    """The national identifier, the channel and the contacts (organisations.services
    checks the identifier's shape and that no one else bears it)."""

    organ_id = StringField(_l("National identifier (mã định danh)"),
                           validators=[Length(max=40)])
    channel = SelectField(_l("Channel"), choices=[SelectChoice(k, v)
                                                  for k, v in CHANNEL_LABELS.items()])
    address = StringField(_l("Address"), validators=[Length(max=500)])
    email = StringField(_l("E-mail"), validators=[Length(max=254)])
    telephone = StringField(_l("Telephone"), validators=[Length(max=50)])


class TitleForm(Form):
    """A person's title (chức vụ) and how they sign for the head (auth.models.SignsAs)."""

    title = StringField(_l("Title (chức vụ)"), validators=[Length(max=100)])
    signs_as = SelectField(_l("Signs as"), choices=[SelectChoice(k, v)
                                                    for k, v in SIGNS_AS_LABELS.items()])


class RenameForm(Form):
    name = StringField(_l("New name"), validators=[DataRequired(), Length(max=255)])
    effective_on = DateField(_l("Effective from"), validators=[DataRequired()])


class MergeForm(Form):
    successor_id = SelectField(_l("Merged into"), coerce=int, validators=[DataRequired()])
    effective_on = DateField(_l("Effective from"), validators=[DataRequired()])
    # Set by the confirmation page: the merge is made only from there.
    confirmed = HiddenField()


class NotationForm(Form):
    letter_format = StringField(_l("Letters (công văn)"), validators=[Length(max=60)])
    other_format = StringField(_l("Other documents"), validators=[Length(max=60)])


# A reorganisation file: 94 events take 20 KB; a file a hundred times longer is a mistake.
MAX_REORGANISATION_BYTES = 256 * 1024


class ReorganisationFileForm(Form):
    file = FileField(_l("Reorganisation file (CSV)"), validators=[
        FileRequired(_l("Choose a CSV file.")), FileAllowed(["csv"], _l("Choose a CSV file.")),
        FileSize(MAX_REORGANISATION_BYTES, message=_l("The file is larger than 256 KB."))])


class ReorganisationConfirmForm(Form):
    """The previewed file, carried back as it was (base64) with the server's seal on it and
    on the plan it gave, so that what is applied is exactly what was previewed."""

    text = HiddenField(validators=[DataRequired(), Length(max=MAX_REORGANISATION_BYTES * 2)])
    sha256 = HiddenField(validators=[DataRequired(), Length(max=64)])
    seal = HiddenField(validators=[DataRequired(), Length(max=64)])
