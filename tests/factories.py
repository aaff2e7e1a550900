"""Build organisations and people for tests through the same services the portal uses."""

import itertools

from portal.auth import services as auth_services
from portal.organisations import services as organisation_services

_sequence = itertools.count(1)


class Factory:
    PASSWORD = "correct horse battery"

    def organisation(self, kind="department", code=None, name=None, parent=None):
        number = next(_sequence)
        code = code or f"T{number}"
        return organisation_services.add_organisation(
            code=code, name=name or f"Sở TN&MT thử nghiệm {number}", kind=kind, parent=parent
        )

    def ministry(self):
        return self.organisation(kind="ministry", code="BTNMT", name="Bộ Tài nguyên và Môi trường")

    def user(self, organisation, role="specialist", email=None, password=PASSWORD):
        number = next(_sequence)
        return auth_services.create_user(
            email=email or f"{role}{number}@example.gov.vn",
            full_name=f"Người dùng {number}",
            organisation=organisation,
            role=role,
            password=password,
        )
