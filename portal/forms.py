"""The base of every form in the portal, and the fields whose values it bounds."""

import wtforms
from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from markupsafe import Markup, escape
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import widgets
from wtforms.validators import StopValidation

from portal.bounds import OutOfBounds, check_day, parse_id
from portal.documents.text import clean_line, clean_text


def _cleaning_for(field_class):
    """How a text field's value is cleaned (portal.documents.text); passwords stay as typed."""
    if issubclass(field_class, wtforms.TextAreaField):
        return clean_text
    if issubclass(field_class, wtforms.StringField) \
            and not issubclass(field_class, wtforms.PasswordField):
        return clean_line
    return None


def _files_for(form) -> MultiDict:
    """The request's files sent under the names of the form's file fields; a file sent for a
    text or number field is no value of it (those fields would choke on a file)."""
    names = {field.name for field in form if isinstance(field, wtforms.FileField)}
    return MultiDict([(name, upload) for name, upload in request.files.items(multi=True)
                      if name in names])


class Form(FlaskForm):
    """A FlaskForm that reads only form-encoded bodies and cleans every text field.

    Flask-WTF would also read a JSON body as form data, and values of the wrong type there
    (numbers, lists, objects) crash validators. Browsers send forms; the API has its own routes.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto:
                if request.method in ("POST", "PUT", "PATCH", "DELETE"):
                    return CombinedMultiDict((_files_for(form), request.form))
                return None
            return formdata

        def bind_field(self, form, unbound_field, options):
            cleaning = _cleaning_for(unbound_field.field_class)
            if cleaning is not None:
                options = {**options, "filters": (
                    cleaning, *unbound_field.kwargs.get("filters", ()))}
            return super().bind_field(form, unbound_field, options)

    def error_text(self) -> str:
        """Every error of the form, in one line (a flash message, an htmx answer)."""
        return " ".join(str(e) for errors in self.errors.values() for e in errors)


class DateField(wtforms.DateField):
    """A date between bounds.FIRST_DAY and bounds.LAST_DAY (every form's dates are these)."""

    def pre_validate(self, form):
        if self.data is not None:
            try:
                check_day(self.data)
            except OutOfBounds as error:
                raise StopValidation(str(error)) from None


class IdField(wtforms.IntegerField):
    """An id typed or carried in a form: 1..bounds.MAX_ID."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0]:
            try:
                self.data = parse_id(valuelist[0])
            except OutOfBounds as error:
                self.data = None
                raise ValueError(str(error)) from None


class _Select(widgets.Select):
    """WTForms' select, writing plain options directly.

    Its generic attribute rendering took 1.7 ms for the inbox's 70 senders, a tenth of the
    page. The markup is the same (attributes in sorted order).
    """

    @classmethod
    def render_option(cls, choice, **kwargs):
        if choice.render_kw or kwargs or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        value, label = escape(choice.value), escape(choice.label or choice.value)
        return Markup(f'<option {selected}value="{value}">{label}</option>')  # noqa: S704 escaped


class SelectField(wtforms.SelectField):
    widget = _Select()


class SelectMultipleField(wtforms.SelectMultipleField):
    widget = _Select(multiple=True)
