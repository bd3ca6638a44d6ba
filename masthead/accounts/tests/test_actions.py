import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from masthead.accounts.actions import do_ensure_first_admin
from masthead.accounts.models import User

pytestmark = pytest.mark.django_db


def test_first_admin_gets_a_generated_password_once():
    user, password = do_ensure_first_admin()
    assert user.is_superuser and user.is_staff
    assert len(password) >= 20
    assert authenticate(username="admin", password=password) == user
    assert do_ensure_first_admin() is None
    assert User.objects.filter(is_superuser=True).count() == 1


def test_two_sites_get_different_passwords():
    _, first = do_ensure_first_admin()
    User.objects.all().delete()
    _, second = do_ensure_first_admin()
    assert first != second


def test_ensure_admin_command_prints_the_password_only_when_it_creates(capsys):
    call_command("ensure_admin")
    created = capsys.readouterr().out
    password = created.split("password:")[1].strip()
    assert authenticate(username="admin", password=password) is not None
    call_command("ensure_admin")
    again = capsys.readouterr().out
    assert "already exists" in again and password not in again


def test_ensure_admin_reset_prints_a_new_password_that_replaces_the_old(capsys, client):
    call_command("ensure_admin")
    old = capsys.readouterr().out.split("password:")[1].strip()
    assert client.login(username="admin", password=old)
    assert client.get("/admin/").status_code == 200

    call_command("ensure_admin", "--reset")
    new = capsys.readouterr().out.split("password:")[1].strip()

    assert new != old
    assert authenticate(username="admin", password=new) is not None
    assert authenticate(username="admin", password=old) is None
    # The old password's sessions end with it.
    assert client.get("/admin/").status_code == 302


def test_ensure_admin_reset_refuses_an_unknown_or_ordinary_account():
    User.objects.create_user(username="reader", password="a long passphrase here")
    with pytest.raises(CommandError, match="no admin account named 'reader'"):
        call_command("ensure_admin", "--reset", "--username", "reader")
    with pytest.raises(CommandError, match="no admin account named 'nobody'"):
        call_command("ensure_admin", "--reset", "--username", "nobody")
    assert authenticate(username="reader", password="a long passphrase here") is not None
