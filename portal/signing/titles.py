"""Who the printed signer is, and the title lines above their name (Decree 30, Art. 13).

The signer is the person of the signature chain who signs (or, for a reply, the leader who
approved it), never free text. Their title (chức vụ) is kept on the person; the lines above
it come from how they stand to the head of the issuing authority:

- the head signs under their own title ("BỘ TRƯỞNG");
- a deputy signs for the head: "KT. BỘ TRƯỞNG" over "THỨ TRƯỞNG" (ký thay);
- the head of a unit signs in the name of the organisation above by order, "TL. BỘ TRƯỞNG"
  over "CHÁNH VĂN PHÒNG" (thừa lệnh), or, when the head authorised them, "TUQ. BỘ TRƯỞNG"
  (thừa ủy quyền).
"""

from sqlalchemy import select

from portal.auth.models import SignsAs
from portal.documents.models import DocumentState
from portal.documents.text import nfc
from portal.extensions import db
from portal.signing.models import SIGNER_FIELD, SignatureStep

# Who heads an organisation, by the first word(s) of its name.
HEAD_TITLES = [("Tổng cục", "Tổng cục trưởng"), ("Bộ", "Bộ trưởng"), ("Sở", "Giám đốc"),
               ("Văn phòng", "Chánh Văn phòng"), ("Cục", "Cục trưởng"), ("Vụ", "Vụ trưởng"),
               ("Thanh tra", "Chánh Thanh tra"), ("Viện", "Viện trưởng"),
               ("Trung tâm", "Giám đốc")]


def head_title(organisation) -> str:
    """"Bộ trưởng" for a ministry, "Giám đốc" for a Sở, "Chánh Văn phòng" for an office."""
    name = nfc(organisation.name)
    return next((title for word, title in HEAD_TITLES if name.startswith(word + " ")), "")


def signer_of(document):
    """The person whose signature the document carries (or will): the chain's signer; for a
    reply, the leader who approved it."""
    step = db.session.scalar(select(SignatureStep).where(
        SignatureStep.document_id == document.id, SignatureStep.field == SIGNER_FIELD))
    if step is not None:
        return step.user
    if document.reply_to_id is not None and document.state == DocumentState.ISSUED:
        return document.issued_by
    return None


def title_lines(person, authority) -> list[str]:
    """The lines printed above the signer's name, in capitals."""
    lines = []
    if person.organisation_id != authority.id:  # a unit's head, in the name of the one above
        prefix = "TUQ." if person.signs_as == SignsAs.AUTHORISED else "TL."
        lines.append(f"{prefix} {head_title(authority)}")
    if person.signs_as == SignsAs.DEPUTY:
        lines.append(f"KT. {head_title(person.organisation)}")
    title = " ".join(nfc(person.title or "").split())
    if title:
        lines.append(title)
    return [line.upper() for line in lines]


def printed_signer(document, person=None) -> dict | None:
    """The signature block as the PDF prints it and the pages and the API show it: the
    person's name and title, and the lines above the name. `person`: who would sign (a
    preview for the leader about to approve a reply); by default the document's signer."""
    person = person or signer_of(document)
    if person is None:
        return None
    return {"name": nfc(person.full_name), "title": nfc(person.title or ""),
            "lines": title_lines(person, document.authority)}
