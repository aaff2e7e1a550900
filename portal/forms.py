"""The base of every form in the portal."""

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from werkzeug.datastructures import CombinedMultiDict


class Form(FlaskForm):
    """A FlaskForm that reads only form-encoded bodies.

    Flask-WTF would also read a JSON body as form data, and values of the wrong type there
    (numbers, lists, objects) crash validators. Browsers send forms; the API has its own routes.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto:
                if request.method in ("POST", "PUT", "PATCH", "DELETE"):
                    return CombinedMultiDict((request.files, request.form))
                return None
            return formdata
