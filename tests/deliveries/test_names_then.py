"""A record keeps the names of its day: a document issued before its authority was renamed
shows the old name on its delivery and tracking pages; one issued after, the new name."""

from datetime import date, timedelta

from portal.clock import local_today
from portal.organisations.services import rename_organisation
from portal.transaction import action


def _rename_everyone(exchange, on):
    with action():
        rename_organisation(exchange.ministry, "Bộ Nông nghiệp và Môi trường", effective_on=on)
        rename_organisation(exchange.office, "Văn phòng Bộ (mới)", effective_on=on)


def _sender(response) -> str:
    """The page's facts list (sender, drafting unit…), not its menus and footer."""
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return page[page.index("<dl"):page.index("</dl>")]


def test_a_document_issued_before_a_rename_keeps_the_old_names(exchange, client, auth):
    _rename_everyone(exchange, local_today() + timedelta(days=1))  # from tomorrow
    assert exchange.ministry.name == "Bộ Nông nghiệp và Môi trường"

    auth.login(exchange.a_clerk.email)
    page = _sender(client.get(f"/inbox/{exchange.delivery.id}"))
    assert "Bộ Tài nguyên và Môi trường" in page and "(mới)" not in page
    auth.logout()
    auth.login(exchange.ministry_clerk.email)
    page = _sender(client.get(f"/documents/{exchange.document.id}"))
    assert "Bộ Tài nguyên và Môi trường" in page and "Bộ Nông nghiệp" not in page


def test_a_document_issued_after_a_rename_shows_the_new_names(exchange, client, auth):
    _rename_everyone(exchange, date(2025, 3, 1))
    auth.login(exchange.a_clerk.email)
    page = _sender(client.get(f"/inbox/{exchange.delivery.id}"))
    assert "Bộ Nông nghiệp và Môi trường" in page and "Văn phòng Bộ (mới)" in page
    assert "Bộ Tài nguyên và Môi trường" not in page
