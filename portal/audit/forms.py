from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length, Optional

from portal.forms import DateField, Form, IdField, SelectField


class AuditFilterForm(Form):
    """Filters for the audit trail, read from the query string."""

    class Meta:
        csrf = False  # a GET search form changes nothing

    action = SelectField(_l("Action"), validators=[Optional()])
    organisation_id = SelectField(_l("Organisation"), coerce=int, validators=[Optional()])
    actor = StringField(_l("User e-mail"), validators=[Optional(), Length(max=254)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    before = IdField(validators=[Optional()])
