"""The management commands: export, import and the IP-hash purge."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from masthead.discussion.factories import make_comment
from masthead.discussion.models import Comment

pytestmark = pytest.mark.django_db


def test_export_then_import_into_a_fresh_thread(tmp_path, article):
    make_comment(parent=make_comment(article=article, body="Top"), body="Reply")
    target = tmp_path / "comments.json"
    call_command("export_comments", "--output", str(target))
    assert json.loads(target.read_text())["threads"][0]["article"]["url_path"] == article.url_path
    Comment.objects.filter(depth=2).delete()
    Comment.objects.all().delete()
    out = StringIO()
    call_command("import_comments", str(target), stdout=out)
    assert "Imported 2 comments." in out.getvalue()
    assert Comment.objects.get(body="Reply").parent.body == "Top"


def test_import_of_a_broken_file_fails_cleanly(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_bytes(b"\xff not json")
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_comments", str(broken))


def test_purge_command(article):
    comment = make_comment(article=article)
    Comment.objects.filter(pk=comment.pk).update(ip_hash="a" * 64, created_at=timezone.now() - timedelta(days=40))
    out = StringIO()
    call_command("purge_comment_ips", stdout=out)
    assert "Cleared 1 IP hashes." in out.getvalue()
    assert Comment.objects.get().ip_hash == ""
