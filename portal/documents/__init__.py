"""Official documents: drafted, signed through a chain, issued, delivered and tracked.

The feature's one blueprint; its pages are in routes.py (reading) and the *_routes.py modules.
"""

from flask import Blueprint

bp = Blueprint("documents", __name__, url_prefix="/documents")
