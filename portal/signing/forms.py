from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import Form, SelectField


class ImportKeyForm(Form):
    organisation_id = SelectField(_l("Organisation"), coerce=int)
    file = FileField(_l("PKCS#12 file (.p12, .pfx)"), validators=[FileRequired()])
    password = PasswordField(_l("Its password"), validators=[Optional(), Length(max=200)])


class TrustRootForm(Form):
    file = FileField(_l("Root certificate (PEM or DER)"), validators=[FileRequired()])


class TokenKeyForm(Form):
    organisation_id = SelectField(_l("Organisation"), coerce=int)
    token_label = StringField(_l("Token label"), validators=[DataRequired(), Length(max=64)])
    key_label = StringField(_l("Key and certificate label"),
                            validators=[DataRequired(), Length(max=64)])


class StampImageForm(Form):
    file = FileField(_l("Transparent PNG image"), validators=[FileRequired()])


class PersonImageForm(StampImageForm):
    user_id = SelectField(_l("Person"), coerce=int)
