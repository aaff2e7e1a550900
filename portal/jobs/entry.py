"""What RQ runs for each of our jobs: `queue.EXECUTE` names this module's `execute`.

A `flask jobs worker` (or a test) has bound its app to the worker; a process started by plain
`rq worker` has none, and builds it here from the environment. No module imports this one, so
it may import `create_app`: the app registers the jobs' commands, and a module it imports that
reached back to `create_app` would close a circle.
"""

from portal import create_app
from portal.jobs import worker


def execute(job_id: int) -> None:
    if not worker.app_bound():
        worker.bind_worker_app(create_app())
    worker.execute(job_id)
