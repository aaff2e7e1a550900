"""Vietnamese first, English second, and no message left untranslated."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def test_language_switch_via_lang_parameter_is_remembered(client):
    assert "Đăng nhập" in client.get("/login").get_data(as_text=True)
    english = client.get("/login?lang=en").get_data(as_text=True)
    assert "Sign in" in english and 'lang="en"' in english
    assert "Sign in" in client.get("/login").get_data(as_text=True)
    assert "Đăng nhập" in client.get("/login?lang=vi").get_data(as_text=True)


def test_unknown_language_falls_back_to_vietnamese(client):
    assert 'lang="vi"' in client.get("/login?lang=xx").get_data(as_text=True)


def test_language_choice_survives_sign_in(client, auth, make):
    user = make.user(make.organisation())
    client.get("/login?lang=en")
    auth.login(user.email)
    assert "Welcome" in client.get("/").get_data(as_text=True)


def test_every_message_in_the_code_has_a_vietnamese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract",
                    "-F", "babel.cfg", "-k", "_l", "-o", str(pot), "."],
                   cwd=ROOT, check=True)
    wanted = {m.id for m in read_po(pot.open("rb")) if m.id}
    catalogue = read_po((ROOT / "portal/translations/vi/LC_MESSAGES/messages.po").open("rb"))
    translated = {m.id for m in catalogue if m.id and m.string and not m.fuzzy}
    assert wanted, "extraction found no messages"
    assert sorted(wanted - translated) == []
