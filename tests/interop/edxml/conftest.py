import pytest
from flask_babel import force_locale


@pytest.fixture(autouse=True)
def _in_app(module_app):
    """The reader speaks the portal's language: an app context (the module's) for gettext,
    in English so that the tests read the reasons as the code writes them (one test reads
    them in Vietnamese)."""
    with force_locale("en"):
        yield module_app
