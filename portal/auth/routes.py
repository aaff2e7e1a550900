"""The auth blueprint with all its pages: signing in and out (sign_in_routes), the person's
own account (account_routes) and administrators' actions on people (people_routes)."""

from portal.auth import account_routes, people_routes, sign_in_routes  # noqa: F401  (their routes join bp)
from portal.auth.blueprint import bp

__all__ = ["bp"]
