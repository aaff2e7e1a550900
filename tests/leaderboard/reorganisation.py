"""The 2025 reorganisation applied as `flask organisations reorganise` applies it, for tests
that need today's organisations (the file: portal/organisations/data/reorganisation-2025.csv)."""

from portal.organisations import reorganisation
from portal.transaction import action


def events() -> list[reorganisation.Event]:
    return reorganisation.read_events(
        reorganisation.REORGANISATION_2025.read_text(encoding="utf-8"))


def apply_reorganisation() -> int:
    """Apply every event of the 2025 file in its order; return how many changed something."""
    with action():
        plan = reorganisation.apply_reorganisation(events())
    return len(plan.to_do)
