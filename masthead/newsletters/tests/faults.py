"""What the fault tests run: an SMTP sink that counts the copies each recipient receives, the test database shared
with a worker subprocess, and that worker (`manage.py db_worker`, the django-tasks database backend)."""

import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

PROJECT_DIR = Path(__file__).resolve().parents[3]
REFUSED = "refused@example.org"
# How long a worker may take to start (Django and Wagtail imported) before the tests are skipped as unable to run.
STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Waited {seconds} s for {what}.")
        time.sleep(0.2)


class CountingHandler:
    """Accepts every message except those to REFUSED (turned away at RCPT), counting copies per recipient."""

    def __init__(self):
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.counts.update(envelope.rcpt_tos)
        return "250 Message accepted"


class CountingSink:
    """aiosmtpd on 127.0.0.1, stopped and started again on the same port while its counts carry on."""

    def __init__(self, port: int):
        self.port = port
        self.handler = CountingHandler()
        self.controller: Controller | None = None

    @property
    def counts(self) -> Counter[str]:
        with self.handler.lock:
            return Counter(self.handler.counts)

    def total(self) -> int:
        return sum(self.counts.values())

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()  # drops the open sessions: their messages in flight are lost to the sender
            self.controller = None


class SharedDatabase:
    """The test's database as a worker subprocess sees it. PostgreSQL: the test database itself. SQLite: the test
    database is in this process's memory, so a file is written from it (`push`, before a worker starts) and read
    back into it (`pull`, before asserting), with sqlite3's online backup."""

    def __init__(self, tmp_path: Path):
        self.sqlite = connection.vendor == "sqlite"
        self.path = tmp_path / "shared.sqlite3"

    def environment(self) -> dict[str, str]:
        if self.sqlite:
            return {"DATABASE_URL": f"sqlite:///{self.path}"}
        db = connection.settings_dict
        password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
        host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
        return {"DATABASE_URL": f"postgres://{quote(db['USER'])}{password}@{host}/{db['NAME']}"}

    def push(self) -> None:
        if not self.sqlite:
            return
        for leftover in self.path.parent.glob(self.path.name + "*"):
            leftover.unlink()
        connection.ensure_connection()
        target = sqlite3.connect(self.path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()

    def pull(self) -> None:
        if not self.sqlite:
            return
        source = sqlite3.connect(self.path, timeout=20)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()


class Worker:
    """`manage.py db_worker` in a subprocess with production settings (not the test's in-line task backend)."""

    def __init__(self, database: dict[str, str], smtp_port: int, newsletter_settings: dict[str, str], tmp_path):
        environment = {key: value for key, value in os.environ.items() if key != "MASTHEAD_TESTING"}
        environment |= database | newsletter_settings
        environment |= {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "MASTHEAD_VAR_DIR": str(tmp_path / "var"),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_USE_TLS": "0",
            "EMAIL_USE_SSL": "0",
            "EMAIL_TIMEOUT": "5",
            "DEBUG": "0",
            "PYTHONUNBUFFERED": "1",  # its log is read while it runs
        }
        self.log = tmp_path / f"worker-{time.monotonic_ns()}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.2", "-v", "2"],
                cwd=PROJECT_DIR,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def wait_started(self) -> None:
        """Until the worker says it is polling; a worker that cannot start skips the test with its output."""
        deadline = time.monotonic() + STARTUP_SECONDS
        while "Starting worker" not in self.output():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.skip(f"The task worker (manage.py db_worker) could not start:\n{self.output()}")
            time.sleep(0.1)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
