"""The portal's signals: a feature says what happened, the features it must not know react.

As Indico's `core.signals`: the calendar announces that working days changed, and the
deliveries feature, which counts its deadlines in working days, subscribes (when its module is
imported); the calendar imports nothing of deliveries. Receivers run at once, in the sender's
transaction, and what they return comes back to the sender.
"""

from blinker import Namespace

_signals = Namespace()

working_days_changed = _signals.signal("working-days-changed", doc="""
Working days changed (an override added or withdrawn). Sent with the new `WorkingCalendar` as
sender and `actor`, `cause` (the words the deliveries' history gives); a receiver returns the
ids of the deliveries whose deadline it moved.
""")

delivery_stepped = _signals.signal("delivery-stepped", doc="""
A step was taken on a delivery (deliveries.services, in the step's transaction). Sent with the
`Delivery` as sender and `event` (the `DeliveryEvent` just added, flushed), `actor`; the axis
(portal.interop) reports a step on a delivery that came through it to the sender's system.
""")
