"""The moderation queue, comment editing, thread closing, the ban list and the audit log, in the Wagtail admin.

A ban is never made by one click: the queue's "Ban the author" and the ban list's form both lead to a page that
asks for the reason (required) and says who will be banned, and only its button bans.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from masthead.core.pagination import paginate
from masthead.discussion.actions.bans import check_add_ban, check_lift_ban, validate_ban
from masthead.discussion.actions.moderation import check_moderate, check_moderator_edit, selected_comments
from masthead.discussion.actions.threads import do_set_thread_closed
from masthead.discussion.errors import DiscussionError
from masthead.discussion.models import Ban, Comment, Flag, ModerationAction, ModerationEvent, Thread
from masthead.discussion.permissions import can_moderate

QUEUES = [("pending", "Pending"), ("reported", "Reported"), ("spam", "Spam"), ("approved", "Approved")]
BULK_ACTIONS = [
    (ModerationAction.APPROVE, "Approve"),
    (ModerationAction.REJECT, "Reject"),
    (ModerationAction.SPAM, "Mark as spam"),
    (ModerationAction.PIN, "Pin as editor's pick"),
    (ModerationAction.UNPIN, "Unpin"),
    (ModerationAction.DISMISS_REPORTS, "Dismiss reports"),
    (ModerationAction.BAN, "Ban the author…"),
]
# A reported comment can be taken down with one click, from the reported queue (and the dashboard).
REPORTED_ACTIONS = [(ModerationAction.HIDE, "Hide now"), *BULK_ACTIONS]


def _require_moderator(request) -> None:
    if not can_moderate(request.user):
        raise PermissionDenied("You may not moderate comments.")


def queue(request):
    _require_moderator(request)
    current = request.GET.get("queue", "pending")
    if current not in dict(QUEUES):
        current = "pending"
    if request.method == "POST":
        # A row's own button names one action and one comment; the bulk button uses the ticked boxes.
        action, _, single = request.POST.get("single", "").partition(":")
        comment_ids = [single] if single else request.POST.getlist("comment")
        action = action if single else request.POST.get("action", "")
        if action == ModerationAction.BAN:
            # Banning asks for a reason and a confirmation first, on a page of its own.
            return redirect(f"{reverse('discussion_admin:ban_authors')}?"
                            + urlencode({"queue": current, "comment": comment_ids}, doseq=True))
        try:
            done = check_moderate(comment_ids=comment_ids, action=action, editor=request.user)
        except DiscussionError as error:
            messages.error(request, error.message)
        else:
            label = dict(REPORTED_ACTIONS).get(action, action)
            messages.success(request, f"{label}: {len(done)} comment{'s' if len(done) != 1 else ''}.")
        return redirect(f"{reverse('discussion_admin:queue')}?queue={current}")
    comments = (
        Comment.objects.needing_moderation(current)
        .select_related("author", "thread__page", "parent")
        .prefetch_related(Prefetch("flags", queryset=Flag.objects.filter(resolved=False), to_attr="open_flags"))
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "discussion/admin/queue.html",
        {
            "queues": QUEUES,
            "current": current,
            "page_obj": paginate(request, comments, 50),
            "actions": REPORTED_ACTIONS if current == "reported" else BULK_ACTIONS,
        },
    )


def edit(request, comment_id: int):
    _require_moderator(request)
    comment = get_object_or_404(Comment.objects.select_related("thread__page", "author"), pk=comment_id)
    error = ""
    if request.method == "POST":
        try:
            check_moderator_edit(comment_id=comment.pk, editor=request.user, body=request.POST.get("body"))
        except DiscussionError as refused:
            error = refused.message
        else:
            messages.success(request, "Comment saved.")
            return redirect(reverse("discussion_admin:queue") + "?queue=" + request.GET.get("queue", "pending"))
    return render(request, "discussion/admin/edit.html", {"comment": comment, "error": error},
                  status=400 if error else 200)


@require_POST
def close_thread(request, thread_id: int):
    _require_moderator(request)
    thread = get_object_or_404(Thread, pk=thread_id)
    closed = request.POST.get("closed") == "1"
    do_set_thread_closed(thread=thread, closed=closed, editor=request.user)
    messages.success(request, "Discussion closed." if closed else "Discussion reopened.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
        back = reverse("discussion_admin:queue")
    return redirect(back)


def audit_log(request):
    _require_moderator(request)
    events = ModerationEvent.objects.select_related("actor", "comment__thread__page")
    return render(request, "discussion/admin/audit_log.html", {"page_obj": paginate(request, events, 100)})


class BanTermsForm(forms.Form):
    reason = forms.CharField(max_length=200, widget=forms.TextInput,
                             help_text="Required: kept with the ban and shown in the ban list.",
                             error_messages={"required": "Give a reason for the ban."})
    expires_at = forms.DateTimeField(required=False, label="Until", help_text="Leave empty for a ban until lifted.",
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class BanForm(BanTermsForm):
    member = forms.CharField(required=False, max_length=254, label="Member",
                             help_text="Their username or the e-mail address of their account.")
    email = forms.CharField(required=False, max_length=254, label="Or a guest's e-mail address")
    field_order = ["member", "email", "reason", "expires_at"]


def _ban_targets(comments) -> list[str]:
    """Who banning these comments' authors bans, once each, as the confirmation page names them."""
    targets = []
    for comment in comments:
        if comment.author_deleted:
            target = "nobody: the author deleted their account"
        elif comment.author_id:
            target = f"{comment.author.public_name} <{comment.author.email}> (member)"
        else:
            target = f"{comment.guest_email} (guest {comment.guest_name})"
        if target not in targets:
            targets.append(target)
    return targets


def ban_authors(request):
    """The queue's "Ban the author": who will be banned, a reason (required) and an expiry, then the ban."""
    _require_moderator(request)
    data = request.POST if request.method == "POST" else request.GET
    current = data.get("queue", "pending")
    back = f"{reverse('discussion_admin:queue')}?queue={current if current in dict(QUEUES) else 'pending'}"
    try:
        comments = selected_comments(data.getlist("comment"))
    except DiscussionError as error:
        messages.error(request, error.message)
        return redirect(back)
    form = BanTermsForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                done = check_moderate(comment_ids=[comment.pk for comment in comments], action=ModerationAction.BAN,
                                      editor=request.user, **form.cleaned_data)
            except DiscussionError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"Banned the author{'s' if len(done) != 1 else ''} of {len(done)} "
                                          f"comment{'s' if len(done) != 1 else ''}.")
                return redirect(back)
        status = 400
    return render(request, "discussion/admin/ban_authors.html",
                  {"form": form, "comments": comments, "targets": _ban_targets(comments), "current": current,
                   "back": back}, status=status)


def bans(request):
    """The ban list: who may no longer comment, why, who decided and until when; add a ban (after confirming
    it), or lift one."""
    _require_moderator(request)
    form = BanForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if request.POST.get("confirmed") != "yes":
                    asked = validate_ban(editor=request.user, **form.cleaned_data)
                    return render(request, "discussion/admin/ban_confirm.html", {"form": form, "asked": asked})
                ban = check_add_ban(editor=request.user, **form.cleaned_data)
            except DiscussionError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"Banned {ban.target}.")
                return redirect("discussion_admin:bans")
        status = 400
    listed = Ban.objects.select_related("user", "created_by")
    return render(request, "discussion/admin/bans.html",
                  {"page_obj": paginate(request, listed, 100), "form": form}, status=status)


@require_POST
def lift_ban(request, ban_id: int):
    _require_moderator(request)
    try:
        ban = check_lift_ban(ban_id=ban_id, editor=request.user)
    except DiscussionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Lifted the ban on {ban.target}.")
    return redirect("discussion_admin:bans")
