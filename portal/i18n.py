"""Language: Vietnamese first, English second."""

from urllib.parse import quote

from flask import request, session

LANGUAGES = ("vi", "en")


def select_locale() -> str:
    """?lang= chooses (and the session remembers); otherwise the session's choice, else Vietnamese."""
    requested = request.args.get("lang")
    if requested in LANGUAGES:
        session["lang"] = requested
        return requested
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else LANGUAGES[0]


def url_with_language(code: str) -> str:
    """The current page's URL with ?lang= set, for the language switch."""
    args = request.args.to_dict()
    args["lang"] = code
    return request.path + "?" + "&".join(f"{k}={quote(v)}" for k, v in args.items())
