"""Language: Vietnamese first, English second."""

from urllib.parse import urlencode

from flask import has_request_context, request, session

LANGUAGES = ("vi", "en")


def select_locale() -> str:
    """?lang= chooses (the session remembers); else the session's choice; else Vietnamese."""
    if not has_request_context():  # the command line, jobs
        return LANGUAGES[0]
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
    return request.path + "?" + urlencode(args)
