"""The leaderboard blueprint with all its pages: the reviewers' table (board_routes), the public
page and files (public_routes), a department's record and its assessments
(department_routes), the thresholds and the oversight letter (settings_routes)."""

from portal.leaderboard import (  # noqa: F401  (their routes join bp)
    board_routes,
    department_routes,
    public_routes,
    settings_routes,
)
from portal.leaderboard.blueprint import bp

__all__ = ["bp"]
