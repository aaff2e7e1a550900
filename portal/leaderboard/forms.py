from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from portal.forms import DateField, Form, SelectField
from portal.leaderboard.assessments import APPENDIX_STYLES, KIND_LABELS, MAX_NOTE


class PeriodFields(Form):
    """The period a form acts on, carried from the page in hidden fields."""

    first = DateField(validators=[DataRequired()])
    last = DateField(validators=[DataRequired()])


class AssessmentForm(PeriodFields):
    kind = RadioField(_l("Assessment"), choices=[SelectChoice(k, v)
                                                for k, v in KIND_LABELS.items()],
                      validators=[InputRequired()])
    note = TextAreaField(_l("Note (what the figures show, what must change)"),
                         validators=[DataRequired(), Length(max=MAX_NOTE)])
    appendix_style = SelectField(_l("Mark the row in the letter's appendix"),
                                 choices=[SelectChoice(k, v) for k, v in APPENDIX_STYLES.items()],
                                 default="bold")


class WithdrawForm(Form):
    reason = StringField(_l("Why it is withdrawn"), validators=[DataRequired(), Length(max=1000)])


class ThresholdsForm(Form):
    overdue_threshold_percent = IntegerField(
        _l("Flag an overdue rate above (%)"), validators=[InputRequired(), NumberRange(0, 100)])
    unsigned_threshold_percent = IntegerField(
        _l("Flag an unsigned rate above (%)"), validators=[InputRequired(), NumberRange(0, 100)])
