from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.documents.models import (
    CONFIDENTIALITY_LABELS,
    TYPE_LABELS,
    URGENCY_LABELS,
    Confidentiality,
    Urgency,
)
from portal.forms import DateField, Form, SelectField, SelectMultipleField
from portal.once import OnceField

DEADLINE_KINDS = {"none": _l("No reply needed"), "working_days": _l("Within working days"),
                  "date": _l("By a date")}


def _choices(labels):
    return [SelectChoice(k, v) for k, v in labels.items()]


class ComposeForm(Form):
    doc_type = SelectField(_l("Type"), choices=_choices(TYPE_LABELS))
    subject = StringField(_l("Subject (trích yếu)"), validators=[DataRequired(), Length(max=500)])
    body = TextAreaField(_l("Text"), validators=[Length(max=100_000)])
    urgency = SelectField(_l("Urgency"), choices=_choices(URGENCY_LABELS), default=Urgency.NORMAL)
    confidentiality = SelectField(_l("Confidentiality"), choices=_choices(CONFIDENTIALITY_LABELS),
                                  default=Confidentiality.NONE)
    # In whose name it is issued (documents.authority): choices set per organisation.
    # Checked by the service (documents.authority.check_authority); missing: the default.
    authority_id = SelectField(_l("Issued in the name of"), coerce=int, validate_choice=False)
    all_departments = BooleanField(_l("All provincial departments"))
    recipients = SelectMultipleField(_l("Recipients"), coerce=int, validators=[Optional()])
    deadline_kind = RadioField(_l("Reply deadline"), choices=_choices(DEADLINE_KINDS),
                               default="none")
    due_working_days = IntegerField(_l("Working days"),
                                    validators=[Optional(), NumberRange(min=1, max=365)])
    due_on = DateField(_l("Due date"), validators=[Optional()])
    # "Attach PDF" sends the whole form: the draft is saved (created, if new) with the PDF.
    attachment = FileField(_l("PDF file"))
    attachment_is_main = BooleanField(_l("This PDF is the document itself (not an appendix)"),
                                      id="is-main")
    once = OnceField()


class AttachmentForm(Form):
    file = FileField(_l("PDF file"), validators=[FileRequired()])
    # Its own id: "main" is the page's <main> element, which would steal the label.
    main = BooleanField(_l("This PDF is the document itself (not an appendix)"), id="is-main")


class ActionForm(Form):
    """A button that changes something: only the CSRF token."""


class TrackingFilterForm(Form):
    class Meta:
        csrf = False

    show = SelectField(_l("Show"), validators=[Optional()])


class SigningChainForm(Form):
    """Trình ký: who initials and who signs (choices: signing.chain.candidates, 0 for none)."""

    unit_initials = SelectField(_l("Initials: the drafting unit's leader"), coerce=int,
                                validators=[Optional()])
    office_initials = SelectField(_l("Initials: the office"), coerce=int,
                                  validators=[Optional()])
    signer = SelectField(_l("Signed by"), coerce=int,
                         validators=[DataRequired(message=_l("Choose who signs the document."))])


class ReturnForm(Form):
    note = TextAreaField(_l("What should change"), validators=[Optional(), Length(max=1000)])
