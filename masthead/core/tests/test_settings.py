"""The settings module as an operator meets it: production checks pass, a missing secret stops start-up."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def clean_environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith(("MASTHEAD_", "DJANGO_"))}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return run_python("manage.py", *args, **env)


def run_python(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean_env = clean_environment()
    clean_env.pop("SECRET_KEY", None)
    clean_env.pop("DEBUG", None)
    return subprocess.run(
        [sys.executable, *args],
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


PRINT_KEY = (
    "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'masthead.settings'; django.setup(); "
    "from django.conf import settings; print(settings.SECRET_KEY)"
)


def test_commands_run_from_the_checkout_use_the_generated_secret_key_file(tmp_path):
    key = secrets.token_urlsafe(60)
    (tmp_path / "secret_key").write_text(key + "\n")
    result = run_python("-c", PRINT_KEY, MASTHEAD_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == key
    assert manage("check", MASTHEAD_VAR_DIR=str(tmp_path)).returncode == 0


def test_the_environment_s_secret_key_wins_over_the_file(tmp_path):
    (tmp_path / "secret_key").write_text(secrets.token_urlsafe(60))
    key = secrets.token_urlsafe(60)
    result = run_python("-c", PRINT_KEY, SECRET_KEY=key, MASTHEAD_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == key


def test_an_empty_secret_key_file_is_refused_at_start_up(tmp_path):
    (tmp_path / "secret_key").write_text("\n")
    result = manage("check", MASTHEAD_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def make_run_plan(**env: str) -> str:
    """The commands `make run` would run, without running them."""
    clean_env = clean_environment()
    result = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, env={**clean_env, **env}, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_derives_the_base_url_from_host_and_port():
    plan = make_run_plan(PORT="8802")
    assert "--bind 127.0.0.1:8802" in plan
    assert 'MASTHEAD_BASE_URL="http://127.0.0.1:8802"' in plan
    assert ":8000" not in plan
    assert "manage.py sync_site" in plan and "manage.py run_scheduler" in plan


def test_make_run_keeps_a_base_url_the_operator_set():
    plan = make_run_plan(PORT="8802", MASTHEAD_BASE_URL="https://news.example.org")
    assert "--bind 127.0.0.1:8802" in plan
    assert 'MASTHEAD_BASE_URL="https://news.example.org"' in plan


def test_settings_follow_the_base_url(tmp_path):
    result = run_python(
        "-c",
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'masthead.settings'; django.setup(); "
        "from django.conf import settings as s; "
        "print(s.MASTHEAD_BASE_URL, s.WAGTAILADMIN_BASE_URL, s.CSRF_TRUSTED_ORIGINS[0], s.ALLOWED_HOSTS[0])",
        SECRET_KEY="x" * 60,
        MASTHEAD_BASE_URL="http://127.0.0.1:8802/",
        MASTHEAD_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["http://127.0.0.1:8802"] * 3 + ["127.0.0.1"]


def test_a_malformed_trusted_proxy_is_refused_at_start_up(tmp_path):
    result = manage(
        "check",
        SECRET_KEY="x" * 60,
        MASTHEAD_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/33",
        MASTHEAD_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "MASTHEAD_TRUSTED_PROXIES: '10.0.0.0/33' is not" in result.stderr
