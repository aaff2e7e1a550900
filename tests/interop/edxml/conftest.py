import pytest


@pytest.fixture(autouse=True)
def _in_app(module_app):
    """The reader speaks the portal's language: an app context (the module's) for gettext."""
    return module_app
