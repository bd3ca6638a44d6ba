"""The shared smtp_inbox fixture really receives mail over SMTP."""

from django.core.mail import send_mail


def test_mail_reaches_the_test_smtp_server(smtp_inbox):
    send_mail("Hello", "A body line.", "desk@example.org", ["reader@example.org"])
    assert len(smtp_inbox) == 1
    message = smtp_inbox.to("reader@example.org")[0]
    assert message["Subject"] == "Hello"
    assert message.get_content().strip() == "A body line."
