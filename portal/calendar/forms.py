from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectChoice, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.calendar.models import OverrideKind
from portal.forms import DateField, Form, SelectField

OVERRIDE_KIND_LABELS = {
    OverrideKind.DAY_OFF: _l("Day off (added by a decision)"),
    OverrideKind.WORKING_DAY: _l("Working day (e.g. a Saturday worked in exchange)"),
}


class OverrideForm(Form):
    day = DateField(_l("Day"), validators=[DataRequired()])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, v)
                                            for k, v in OVERRIDE_KIND_LABELS.items()])
    reason = StringField(_l("Reason (the decision)"), validators=[DataRequired(), Length(max=255)])


class DueDateQueryForm(Form):
    """The compose form's deadline field, explained as the person types."""

    class Meta:
        csrf = False

    start = DateField(validators=[Optional()])
    due_working_days = IntegerField(validators=[Optional(), NumberRange(min=1, max=365)])
