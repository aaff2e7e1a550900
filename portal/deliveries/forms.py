from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.deliveries.inbox import SORTS, TABS
from portal.documents.models import TYPE_LABELS, URGENCY_LABELS
from portal.forms import DateField, Form, SelectField

SORT_LABELS = {"newest": _l("Newest first"), "oldest": _l("Oldest first"),
               "deadline": _l("Earliest deadline first")}


class InboxFilterForm(Form):
    """The inbox's tab, filters, search and page, read from the query string."""

    class Meta:
        csrf = False

    tab = SelectField(choices=[SelectChoice(t, t) for t in TABS], default="new",
                      validators=[Optional()])
    sender = SelectField(_l("Sender"), coerce=int, validators=[Optional()])
    doc_type = SelectField(_l("Type"), validators=[Optional()],
                           choices=[SelectChoice("", _l("All types"))]
                           + [SelectChoice(k, v) for k, v in TYPE_LABELS.items()])
    urgency = SelectField(_l("Urgency"), validators=[Optional()],
                          choices=[SelectChoice("", _l("Any urgency"))]
                          + [SelectChoice(k, v) for k, v in URGENCY_LABELS.items()])
    date_from = DateField(_l("Received from"), validators=[Optional()])
    date_to = DateField(_l("Received to"), validators=[Optional()])
    q = StringField(_l("Number or subject"), validators=[Optional(), Length(max=200)])
    sort = SelectField(_l("Sort"), default="newest", validators=[Optional()],
                       choices=[SelectChoice(k, SORT_LABELS[k]) for k in SORTS])
    after = StringField(validators=[Optional(), Length(max=100)])


class RefuseForm(Form):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])


class AssignForm(Form):
    assignee = SelectField(_l("Assign to"), coerce=int)


class CloseForm(Form):
    note = StringField(_l("Why no reply is needed"), validators=[DataRequired(),
                                                                  Length(max=1000)])


class ReplyForm(Form):
    body = TextAreaField(_l("Reply"), validators=[Length(max=100_000)])


class ReturnForm(Form):
    note = StringField(_l("What to change"), validators=[Length(max=1000)])
