"""What the audit trail calls its codes: every action the code base records, every detail key
and every kind of object, in words (Vietnamese first). tests/audit/test_labels.py reads the
source for every code `audit.record` can be given and fails when one has no label here."""

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "access.refused": _l("Access refused"),
    "assessment.published": _l("Assessment published"),
    "assessment.recorded": _l("Assessment recorded"),
    "assessment.withdrawn": _l("Assessment withdrawn"),
    "auth.login": _l("Signed in"),
    "auth.login_failed": _l("Sign-in failed"),
    "auth.logout": _l("Signed out"),
    "auth.mfa_disabled": _l("Two-step sign-in turned off"),
    "auth.mfa_enrolled": _l("Two-step sign-in set up"),
    "auth.mfa_failed": _l("Wrong second-step code"),
    "auth.mfa_reset": _l("Two-step sign-in reset by an administrator"),
    "auth.password_changed": _l("Password changed"),
    "auth.password_check_failed": _l("Password asked again and not matched"),
    "auth.recovery_code_used": _l("Recovery code used"),
    "auth.session_expired": _l("Session expired"),
    "calendar.deadlines_recomputed": _l("Deadlines recomputed"),
    "calendar.override_added": _l("Working calendar day changed"),
    "calendar.override_removed": _l("Working calendar change withdrawn"),
    "delivery.acknowledged": _l("Document acknowledged"),
    "delivery.assigned": _l("Assigned for handling"),
    "delivery.claimed": _l("Taken up by a specialist"),
    "delivery.closed": _l("Handling closed"),
    "delivery.recall_agreed": _l("Recall agreed"),
    "delivery.recall_refused": _l("Recall refused"),
    "delivery.recall_requested": _l("Recall requested"),
    "delivery.refused": _l("Document refused"),
    "delivery.replied": _l("Reply sent"),
    "delivery.started": _l("Handling started"),
    "document.attachment_added": _l("Attachment added"),
    "document.attachment_removed": _l("Attachment removed"),
    "document.dispatched": _l("Document sent to its recipients"),
    "document.draft_saved": _l("Draft changed"),
    "document.drafted": _l("Draft created"),
    "document.issued": _l("Document issued"),
    "document.rendered": _l("PDF of record made"),
    "document.returned_to_draft": _l("Returned to the drafter"),
    "document.sealed": _l("Sealed with the organisation's certificate"),
    "document.signature_applied": _l("Digital signature applied"),
    "document.signature_approved": _l("Approved for signature"),
    "document.submitted_for_signing": _l("Submitted for signature"),
    "job.retried": _l("Background job tried again"),
    "organisation.created": _l("Organisation created"),
    "organisation.merged": _l("Organisation merged"),
    "organisation.notation_changed": _l("Notation changed"),
    "organisation.renamed": _l("Organisation renamed"),
    "oversight.thresholds_changed": _l("Oversight thresholds changed"),
    "oversight_letter.drafted": _l("Oversight letter drafted"),
    "reply.returned": _l("Reply returned to its drafter"),
    "reply.saved": _l("Reply draft saved"),
    "reply.submitted": _l("Reply submitted for approval"),
    "signing.key_imported": _l("Signing key imported"),
    "signing.root_removed": _l("Trusted root removed"),
    "signing.root_trusted": _l("Root certificate trusted"),
    "signing.token_key_registered": _l("Key on a signing token registered"),
    "token.created": _l("API token created"),
    "token.revoked": _l("API token revoked"),
    "user.created": _l("User created"),
}

DETAIL_LABELS = {
    "after": _l("After the change"),
    "before": _l("Before the change"),
    "cause": _l("Cause"),
    "certificate": _l("Certificate"),
    "chain": _l("Signature chain"),
    "code": _l("Code"),
    "commended": _l("Departments commended"),
    "criticised": _l("Departments criticised"),
    "day": _l("Day"),
    "deliveries": _l("Deliveries recomputed"),
    "delivery_id": _l("Delivery"),
    "department": _l("Department"),
    "department_id": _l("Department"),
    "document_id": _l("Document"),
    "effective_on": _l("Effective on"),
    "email": _l("E-mail"),
    "field": _l("Signature field"),
    "filename": _l("File name"),
    "for": _l("Purpose"),
    "from": _l("Changed from"),
    "into": _l("Merged into"),
    "key": _l("Key"),
    "kind": _l("Kind"),
    "left": _l("Recovery codes left"),
    "main": _l("Main file"),
    "method": _l("Method"),
    "name": _l("Name"),
    "not_after": _l("Valid until"),
    "notation": _l("Number and notation"),
    "note": _l("Note given"),
    "path": _l("Address requested"),
    "period": _l("Period"),
    "reason": _l("Reason"),
    "recipients": _l("Number of recipients"),
    "role": _l("Role"),
    "sessions_ended": _l("Sessions ended"),
    "sha256": _l("SHA-256 fingerprint"),
    "size": _l("Size (bytes)"),
    "status": _l("HTTP status"),
    "subject": _l("Subject"),
    "to": _l("Changed to"),
    "token": _l("Signing token"),
    "uploaded": _l("Uploaded PDF"),
}

# A key that means something else in one family of actions.
DETAIL_LABELS_BY_FAMILY = {
    "signing": {"subject": _l("Certificate subject")},
}

OBJECT_LABELS = {
    "ApiToken": _l("API token"),
    "Assessment": _l("Assessment"),
    "CalendarOverride": _l("Working calendar day"),
    "Delivery": _l("Delivery"),
    "Document": _l("Document"),
    "Job": _l("Background job"),
    "Organisation": _l("Organisation"),
    "OversightSettings": _l("Oversight thresholds"),
    "SigningIdentity": _l("Signing key"),
    "TrustedRoot": _l("Trusted root"),
    "User": _l("User"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def detail_label(action: str, key: str) -> str:
    family = DETAIL_LABELS_BY_FAMILY.get(action.partition(".")[0], {})
    return str(family.get(key) or DETAIL_LABELS.get(key, key))
