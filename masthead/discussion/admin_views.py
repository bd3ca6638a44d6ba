"""The moderation queue, comment editing, thread closing, the ban list and the audit log, in the Wagtail admin."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from masthead.core.pagination import paginate
from masthead.discussion.actions.bans import check_add_ban, check_lift_ban
from masthead.discussion.actions.moderation import check_moderate, check_moderator_edit
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
    (ModerationAction.BAN, "Ban the author"),
]


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
        try:
            done = check_moderate(comment_ids=comment_ids, action=action, editor=request.user)
        except DiscussionError as error:
            messages.error(request, error.message)
        else:
            label = dict(BULK_ACTIONS).get(action, action)
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
        {"queues": QUEUES, "current": current, "page_obj": paginate(request, comments, 50), "actions": BULK_ACTIONS},
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


class BanForm(forms.Form):
    member = forms.CharField(required=False, max_length=254, label="Member",
                             help_text="Their username or the e-mail address of their account.")
    email = forms.CharField(required=False, max_length=254, label="Or a guest's e-mail address")
    reason = forms.CharField(required=False, max_length=200, widget=forms.TextInput)
    expires_at = forms.DateTimeField(required=False, label="Until", help_text="Leave empty for a ban until lifted.",
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


def bans(request):
    """The ban list: who may no longer comment, why, who decided and until when; add a ban, or lift one."""
    _require_moderator(request)
    form = BanForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
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
