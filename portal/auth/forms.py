from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from portal.auth.services import MIN_PASSWORD_LENGTH
from portal.forms import Form


class LoginForm(Form):
    email = StringField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])


class CodeForm(Form):
    """The second step of sign-in: the app's code, or a recovery code."""

    one_time_code = StringField(_l("Verification code"),
                                validators=[DataRequired(), Length(max=40)])


class EnrolForm(Form):
    """Confirm a new authenticator app with the code it shows."""

    one_time_code = StringField(_l("Code from the app"),
                                validators=[DataRequired(), Length(max=10)])


class AccountEnrolForm(EnrolForm):
    """Setting up from the account page also asks for the password: a session left open on
    someone's desk must not let another person tie the account to their phone."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=256)])


class ConfirmPasswordForm(Form):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=256)])


class PasswordForm(Form):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(), Length(max=256)])
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=256), Length(
            min=MIN_PASSWORD_LENGTH,
            message=_l("A password must have at least %(min)d characters."))],
        description=_l("At least %(count)s characters; a few words make a good one.",
                       count=MIN_PASSWORD_LENGTH))
    new_password_again = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", _l("The two differ."))])


class TokenForm(Form):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)])
