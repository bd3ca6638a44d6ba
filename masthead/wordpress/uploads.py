"""Exports uploaded in the admin, and how their import is going: a folder per upload under VAR_DIR (never under
MEDIA_ROOT, which is served: an export holds authors' and commenters' e-mail addresses).

The progress lives in a small JSON file beside the export, not in a database row: the import runs in one
transaction, and nothing it writes to the database is visible to the status page until it ends.
"""

import json
import os
import re
import time
import uuid
from pathlib import Path

from django.conf import settings

TOKEN = re.compile(r"^[0-9a-f]{32}$")


def root() -> Path:
    return Path(settings.VAR_DIR) / "wordpress-imports"


class Upload:
    def __init__(self, token: str):
        if not TOKEN.match(token or ""):
            raise ValueError("not an upload token")
        self.token, self.folder = token, root() / token
        self.export_path = self.folder / "export.xml"
        self.progress_path = self.folder / "progress.json"
        self._last_write = 0.0

    @classmethod
    def save(cls, file, *, file_name: str) -> "Upload":
        upload = cls(uuid.uuid4().hex)
        upload.folder.mkdir(parents=True)
        with upload.export_path.open("wb") as out:
            for chunk in file.chunks():
                out.write(chunk)
        upload.write(state="queued", file_name=file_name[:200], phases={})
        return upload

    def read(self) -> dict | None:
        try:
            return json.loads(self.progress_path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def write(self, **changes) -> None:
        state = (self.read() or {}) | changes
        temporary = self.progress_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, self.progress_path)  # the status page never reads half a file
        self._last_write = time.monotonic()

    def phase(self, phases: dict, phase: str, done: int, total: int) -> None:
        """Record a phase's progress, at most twice a second (and always at its end)."""
        phases[phase] = [done, total]
        if done >= total or time.monotonic() - self._last_write > 0.5:
            self.write(state="running", phases=phases)

    def forget_export(self) -> None:
        """The export is deleted once imported (or refused); the progress file and its report stay."""
        self.export_path.unlink(missing_ok=True)
