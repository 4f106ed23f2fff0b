"""A real ``sop-recorder`` service in a subprocess, for tests and benchmarks that need one."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port nobody listens on right now (also: a server that cannot be reached)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def proc_stat_fields(stat: str) -> list[str]:
    """The fields of a ``/proc/PID/stat`` text after the command name, which may hold spaces
    and parentheses: ``[state, ppid, …]``; user and system CPU ticks are ``[11]``, ``[12]``."""
    return stat.rpartition(")")[2].split()


@dataclass
class LiveServer:
    """One uvicorn worker serving the app on ``url``; start, kill or stop it as a test needs."""

    data_dir: Path
    database_url: str | None = None
    port: int = field(default_factory=free_port)
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        """The server's standard error, every start appended (uvicorn at ``warning``)."""
        return self.data_dir / "server.log"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["SOP_RECORDER_DATA_DIR"] = str(self.data_dir)
        if self.database_url:
            env["SOP_RECORDER_DATABASE_URL"] = self.database_url
        else:
            env.pop("SOP_RECORDER_DATABASE_URL", None)
        env.update(self.extra_env)
        return env

    def cli(self, *args: str) -> str:
        """Run ``sop-recorder ARGS`` against this server's database; returns stdout."""
        done = subprocess.run(
            [str(BIN / "sop-recorder"), *args], env=self.env(), cwd=ROOT,
            capture_output=True, text=True, check=True, timeout=120,
        )
        return done.stdout

    def create_user(self, email: str, role: str = "agent", team: str = "Support") -> str:
        """A new user's API token."""
        output = self.cli("users", "create", email, "--role", role, "--team", team)
        return output.strip().splitlines()[-1]

    def start(self, timeout: float = 30.0, *, migrate: bool = True) -> None:
        """Apply migrations (unless told not to), start uvicorn and wait for ``/healthz``."""
        self.launch(migrate=migrate)
        self.wait_until_healthy(timeout)

    def launch(self, *, migrate: bool = True) -> None:
        """Apply migrations (unless told not to) and start uvicorn, without waiting for it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if migrate:
            self.cli("migrate")
        self._spawn()

    def _spawn(self) -> None:
        """Start the server process."""
        # Its log goes to a file: a pipe nobody reads would stop the server once it filled up.
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(BIN / "python"), "-m", "uvicorn", "app.main:create_app", "--factory",
                 "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"],
                env=self.env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log,
            )

    def wait_until_healthy(self, timeout: float = 30.0) -> None:
        """Wait until the launched server answers ``/healthz``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._alive():
                raise RuntimeError(f"server exited at start: {self._log_tail()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("server did not become healthy")

    def _alive(self) -> bool:
        """Whether the launched server process is running."""
        assert self.process is not None, "launch() first"
        return self.process.poll() is None

    def _log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-2000:]

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flush — a crash."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """A graceful stop."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class PreforkedServer(LiveServer):
    """A :class:`LiveServer` whose every start is a fork of a parent that imported the app once
    (``tests/prefork_server.py``): a restart takes a fraction of a second instead of about two.

    What serves is still a whole uvicorn process of its own, with its own engine and database
    connections, and :meth:`kill` still SIGKILLs it; only the import is done once, up front.
    """

    parent: subprocess.Popen[str] | None = None
    pid: int | None = None

    def _spawn(self) -> None:
        """Ask the parent (started the first time) for a new server process."""
        if self.parent is None:
            with self.log_path.open("ab") as log:
                self.parent = subprocess.Popen(
                    [str(BIN / "python"), "-m", "tests.prefork_server", str(self.port)],
                    env=self.env(), cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    stderr=log, text=True,
                )
        assert self.parent.stdin is not None and self.parent.stdout is not None
        self.parent.stdin.write("serve\n")
        self.parent.stdin.flush()
        answer = self.parent.stdout.readline()
        if not answer:
            raise RuntimeError(f"the prefork parent exited: {self._log_tail()}")
        self.pid = int(answer)

    def _alive(self) -> bool:
        """Whether the forked server is running (neither gone nor a zombie left by a kill)."""
        if self.pid is None:
            return False
        try:
            stat = Path(f"/proc/{self.pid}/stat").read_text()
        except FileNotFoundError:
            return False
        return proc_stat_fields(stat)[0] != "Z"

    def kill(self) -> None:
        """SIGKILL the serving process and wait until it is gone (its sockets closed)."""
        self._signal_and_wait(signal.SIGKILL)

    def stop(self) -> None:
        """A graceful stop of the server, then of the parent."""
        self._signal_and_wait(signal.SIGTERM)
        if self.parent is not None:
            assert self.parent.stdin is not None
            self.parent.stdin.close()
            try:
                self.parent.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.parent.kill()
            self.parent = None

    def _signal_and_wait(self, signum: signal.Signals, timeout: float = 10.0) -> None:
        if not self._alive():
            return
        assert self.pid is not None
        os.kill(self.pid, signum)
        deadline = time.monotonic() + timeout
        while self._alive():
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                deadline = time.monotonic() + timeout
            time.sleep(0.01)
