import pytest


class Exchange:
    """The ministry, two departments, their people, and one document to department A."""

    def __init__(self, make, due_working_days=3):
        self.ministry = make.ministry()
        self.office = make.organisation(kind="ministry_unit", code="VP", name="Văn phòng Bộ",
                                        parent=self.ministry)
        self.a = make.organisation(code="DA", name="Sở Tài nguyên và Môi trường An Giang")
        self.b = make.organisation(code="DB", name="Sở Tài nguyên và Môi trường Bạc Liêu")
        self.ministry_clerk = make.user(self.office, "clerk")
        self.a_clerk = make.user(self.a, "clerk")
        self.a_leader = make.user(self.a, "leader")
        self.a_specialist = make.user(self.a, "specialist")
        self.a_other_specialist = make.user(self.a, "specialist")
        self.b_leader = make.user(self.b, "leader")
        self.document = make.document(self.ministry_clerk, [self.a, self.b],
                                      due_working_days=due_working_days)
        self.delivery = make.delivery(self.document, self.a)


@pytest.fixture
def exchange(make):
    return Exchange(make)
