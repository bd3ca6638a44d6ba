"""The settings module as an operator meets it: production checks pass, a missing secret stops start-up."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean_env = {key: value for key, value in os.environ.items() if not key.startswith(("MASTHEAD_", "DJANGO_"))}
    clean_env.pop("SECRET_KEY", None)
    clean_env.pop("DEBUG", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(60),
        MASTHEAD_BASE_URL="https://news.example.org",
        ALLOWED_HOSTS="news.example.org",
        MASTHEAD_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = manage("check", MASTHEAD_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_a_malformed_base_url_is_refused_at_start_up(tmp_path):
    result = manage("check", SECRET_KEY="x" * 60, MASTHEAD_BASE_URL="news.example.org", MASTHEAD_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "MASTHEAD_BASE_URL must be an http(s) URL" in result.stderr


def test_a_malformed_trusted_proxy_is_refused_at_start_up(tmp_path):
    result = manage(
        "check",
        SECRET_KEY="x" * 60,
        MASTHEAD_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/33",
        MASTHEAD_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "MASTHEAD_TRUSTED_PROXIES: '10.0.0.0/33' is not" in result.stderr
