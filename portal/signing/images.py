"""The images stamps draw: an organisation's seal, a person's signature (Decree 30, App. I)."""


def seal_image(organisation) -> bytes | None:
    return None


def signature_image(person) -> bytes | None:
    return None
