"""Every background job's handler, each in its feature's tasks module, given to the runner.

render (rendering) → sign (signing) → dispatch (documents) → verify (signing); axis_send
(interop) sends one message to the national axis. create_app
registers them, so the web process, a worker and a test run the same handlers.
"""

from portal.documents import tasks as documents
from portal.interop import tasks as interop
from portal.jobs import runner
from portal.rendering import tasks as rendering
from portal.signing import tasks as signing


def register_all() -> None:
    runner.register(rendering.render_document, signing.sign_document,
                    documents.dispatch_document, signing.verify_document, interop.send_message)
