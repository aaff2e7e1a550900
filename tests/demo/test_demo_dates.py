"""The demo's dates are computed from its today: a weekday that is the date's, still to come."""

import re
from datetime import date

import pytest

from portal.demo.documents import WEEKDAYS, letters


@pytest.mark.parametrize("today", [date(2026, 12, 1), date(2026, 11, 13), date(2027, 2, 1)])
def test_the_invitation_names_a_coming_day_by_its_own_weekday(app, today):
    [invitation] = [letter for letter in letters(today) if letter["doc_type"] == "giay_moi"]
    found = re.search(r"Thời gian: [^,]+, (thứ \w+|Chủ nhật), ngày (\d{2})/(\d{2})/(\d{4})",
                      invitation["body"])
    assert found, invitation["body"]
    day = date(int(found.group(4)), int(found.group(3)), int(found.group(2)))
    assert day > today
    assert WEEKDAYS[day.weekday()] == found.group(1)
    assert day.weekday() < 5  # a working day
