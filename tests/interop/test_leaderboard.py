"""The appendix's axis columns count what really went through the axis (the delivery's
channel); the portal columns the rest."""

from sqlalchemy import select

from portal.clock import local_today
from portal.deliveries.models import Delivery
from portal.extensions import db
from portal.leaderboard.services import Period, leaderboard
from portal.leaderboard.tallies import rebuild_tallies, refresh_tallies
from portal.transaction import action


def _row(board, organisation):
    return next(r for r in board.rows if r.organisation.id == organisation.id)


def _today():
    today = local_today()
    return Period(today.replace(day=1), today), today


def test_a_document_dispatched_through_the_axis_counts_in_the_axis_column(world):
    world.make.document(world.ministry_clerk, [world.on_axis, world.on_portal])
    with action():
        refresh_tallies()
    period, today = _today()
    board = leaderboard(period, today=today)
    axis, portal = _row(board, world.on_axis), _row(board, world.on_portal)
    assert (axis["axis_received_from_ministry"], axis["interaction_received_from_ministry"]) \
        == (1, 0)
    assert (portal["axis_received_from_ministry"],
            portal["interaction_received_from_ministry"]) == (0, 1)


def test_what_a_department_sent_the_ministry_through_the_axis_counts_as_axis_sent(world):
    _sender, _document, delivery = world.received(world.ministry)
    with action():  # a department's system wrote it, not an outside body
        delivery.document.issuer_id = delivery.document.authority_id = world.on_axis.id
    with action():
        rebuild_tallies()  # the sender was changed under the tallies' feet
    period, today = _today()
    row = _row(leaderboard(period, today=today), world.on_axis)
    assert (row["axis_sent_to_ministry"], row["interaction_sent_to_ministry"]) == (1, 0)
    assert db.session.scalar(select(Delivery.channel).where(Delivery.id == delivery.id)) == "axis"
