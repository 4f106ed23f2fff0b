"""A parent that imports the service once and forks a new uvicorn server whenever asked.

``python -m tests.prefork_server PORT``: each line read from standard input starts a child that
builds the app and serves it on ``PORT``, exactly as ``uvicorn app.main:create_app --factory``
does; the child's process id is written back as one line. The parent opens no database and
starts no thread, so every child starts from a clean state, and only the import (most of a
cold start's two seconds) is shared. Tests that kill the server many times
(``tests/reliability/test_crash_safety.py``) restart it this way in a fraction of a second.
"""

from __future__ import annotations

import os
import sys

import uvicorn

import app.main  # noqa: F401  (imported once, here, for every child)


def serve(port: int) -> None:
    """In the child: serve the app on ``port`` until killed or stopped; never returns."""
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)  # the parent's command pipe is not the child's
    os.dup2(devnull, 1)
    try:
        uvicorn.run("app.main:create_app", factory=True, host="127.0.0.1", port=port,
                    log_level="warning")
    finally:
        os._exit(0)


def main() -> None:
    port = int(sys.argv[1])
    for _ in sys.stdin:
        _reap_children()
        pid = os.fork()
        if pid == 0:
            serve(port)
        print(pid, flush=True)


def _reap_children() -> None:
    """Collect the exit status of children that were killed, so none lingers as a zombie."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


if __name__ == "__main__":
    main()
