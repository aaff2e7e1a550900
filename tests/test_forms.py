"""The portal's select widgets write the same markup as WTForms' own, only faster."""

import wtforms
from wtforms import SelectChoice

from portal.forms import Form, SelectField, SelectMultipleField

CHOICES = [SelectChoice(1, "Sở <Hà Nội> & \"HN\""), SelectChoice(2, "Sở Hồ Chí Minh"),
           SelectChoice(3, "Sở Đà Nẵng", render_kw={"disabled": True})]


def test_select_markup_equals_wtforms(app):
    class Ours(Form):
        class Meta:
            csrf = False

        one = SelectField(choices=CHOICES, coerce=int)
        many = SelectMultipleField(choices=CHOICES, coerce=int)

    class Theirs(Form):
        class Meta:
            csrf = False

        one = wtforms.SelectField(choices=CHOICES, coerce=int)
        many = wtforms.SelectMultipleField(choices=CHOICES, coerce=int)

    with app.test_request_context():
        data = {"one": 2, "many": [1, 3]}
        ours, theirs = Ours(data=data), Theirs(data=data)
        assert str(ours.one()) == str(theirs.one())
        assert str(ours.many()) == str(theirs.many())
        assert "&lt;Hà Nội&gt; &amp; &#34;HN&#34;" in str(ours.one())
        assert '<option selected value="2">' in str(ours.one())
