"""Reader views for the discussion: plain form posts first; the small script asks for fragments of the same pages."""

from urllib.parse import parse_qsl

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.utils.translation import gettext as _

from masthead.articles.models import ArticlePage
from masthead.core.i18n import use_language
from masthead.core.client_ip import client_ip
from masthead.discussion import guests
from masthead.discussion.actions.comments import check_delete_comment, check_edit_comment, check_post_comment
from masthead.discussion.actions.moderation import check_report_comment
from masthead.discussion.actions.subscriptions import (
    check_subscribe_thread,
    do_confirm_guest_address,
    do_unsubscribe,
)
from masthead.discussion.actions.threads import thread_for
from masthead.discussion.actions.votes import check_vote
from masthead.discussion.errors import DiscussionError
from masthead.discussion.markup import quote_markdown
from masthead.discussion.models import (
    Comment,
    CommentSort,
    CommentStatus,
    DiscussionSettings,
    FlagReason,
    GuestAddress,
    Subscription,
    Vote,
)
from masthead.discussion.thread_pages import (
    SORT_COOKIE,
    build_thread_page,
    chosen_sort,
    page_number,
    page_of_comment,
)
from masthead.discussion.viewer import (
    LOCKED_MESSAGE,
    may_read_discussion,
    require_discussion_access,
    require_discussion_access_to_comment,
    section_context,
    viewer_context,
)

NOTICE_SESSION_KEY = "discussion_notice"
SORT_COOKIE_AGE = 365 * 24 * 3600


def wants_fragment(request) -> bool:
    """The enhancement script marks its requests; a plain form post gets whole pages and redirects."""
    return request.headers.get("X-Discussion") == "fetch"


def refuse(request, error: DiscussionError, *, back: str = ""):
    if wants_fragment(request):
        html = render_to_string("discussion/error_fragment.html", {"message": error.message})
        return HttpResponse(html, status=error.status)
    return render(request, "discussion/error.html", {"message": error.message, "back": back}, status=error.status)


def strict_form(request):
    """The posted form, refusing bytes that are not UTF-8 instead of letting Django swap in U+FFFD."""
    if request.content_type == "application/x-www-form-urlencoded":
        try:
            parse_qsl(request.body.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            raise DiscussionError(_("The text is not valid UTF-8; check its encoding and post again.")) from None
    elif any("\ufffd" in value for values in request.POST.lists() for value in values[1]):
        raise DiscussionError(_("The text is not valid UTF-8; check its encoding and post again."))
    return request.POST


def live_article(page_id: int) -> ArticlePage:
    """The live article the request is about; the rest of the response speaks its language (core.i18n)."""
    article = get_object_or_404(ArticlePage.objects.live().public(), pk=page_id)
    use_language(article.language)
    return article


def article_anchor_url(article: ArticlePage, anchor: str, sort: str = "") -> str:
    query = f"?sort={sort}" if sort and sort != CommentSort.OLDEST else ""
    return f"{article.url}{query}#{anchor}"


def with_sort_cookie(response, sort: str):
    response.set_cookie(SORT_COOKIE, sort, max_age=SORT_COOKIE_AGE, samesite="Lax")
    return response


@require_GET
def thread(request, page_id: int):
    """All the comments, a page of conversations at a time; also the fragments "Load more" and sorting fetch."""
    article = live_article(page_id)
    number = page_number(request.GET.get("page"))
    if number is None:
        raise Http404("No such page of comments.")
    sort = chosen_sort(request)
    fragment = request.GET.get("fragment") if wants_fragment(request) else None
    if fragment == "items":
        if not may_read_discussion(request, article):
            return refuse(request, DiscussionError(LOCKED_MESSAGE, status=403))
        thread = thread_for(article, create=False)
        thread.page = article
        page = build_thread_page(thread, sort=sort, number=number, viewer=request.user)
        if not page.roots:
            raise Http404("No such page of comments.")
        context = {**viewer_context(request, thread), "article": article, "page": page}
        return render(request, "discussion/items_fragment.html", context)
    context = section_context(request, article, sort=sort, number=number)
    if number > 1 and not context["has_comments"] and not context["locked"]:
        raise Http404("No such page of comments.")
    # A reader who may not read the discussion gets the count and what would open it, as on the article page,
    # with the status that says so.
    status = 403 if context["locked"] else 200
    if fragment == "section":
        response = render(request, "discussion/section.html", context, status=status)
    else:
        response = render(request, "discussion/thread.html", context, status=status)
    if "sort" in request.GET and sort == request.GET["sort"]:
        with_sort_cookie(response, sort)
    return response


@require_GET
def choose_sort(request, page_id: int, sort: str):
    """Remember the reader's sort and go back to the article with it in the address."""
    article = live_article(page_id)
    if sort not in CommentSort.values:
        raise Http404("No such sort order.")
    return with_sort_cookie(HttpResponseRedirect(article_anchor_url(article, "discussion", sort)), sort)


@require_GET
def permalink(request, comment_id: int):
    """Send the reader to the page of the thread that holds the comment, scrolled to it."""
    comment = get_object_or_404(
        Comment.objects.select_related("thread"), pk=comment_id, status=CommentStatus.APPROVED
    )
    article = live_article(comment.thread.page_id)
    if not may_read_discussion(request, article):
        return HttpResponseRedirect(article_anchor_url(article, "discussion"))  # where the gate explains
    sort = chosen_sort(request)
    number = page_of_comment(comment, sort)
    if number == 1:
        return HttpResponseRedirect(article_anchor_url(article, comment.anchor, sort))
    url = reverse("discussion:thread", kwargs={"page_id": article.pk})
    return HttpResponseRedirect(f"{url}?sort={sort}&page={number}#{comment.anchor}")


def _notify(request, message: str) -> None:
    request.session[NOTICE_SESSION_KEY] = message


def _comment_fragment(request, comment, template: str):
    return render(request, template, {"comment": comment, **viewer_context(request, comment.thread)})


@require_POST
def post_comment(request, page_id: int):
    article = live_article(page_id)
    back = article_anchor_url(article, "comment-form")
    try:
        require_discussion_access(request, article)
        form = strict_form(request)
        comment = check_post_comment(
            page=article,
            user=request.user,
            body=form.get("body"),
            parent_id=form.get("parent_id"),
            guest_name=form.get("name", ""),
            guest_email=form.get("email", ""),
            honeypot=form.get("website", ""),
            subscribe=form.get("subscribe") == "on",
            ip=client_ip(request),
            policy=DiscussionSettings.current(request),
        )
    except DiscussionError as error:
        return refuse(request, error, back=back)
    visible = comment.status == CommentStatus.APPROVED
    if wants_fragment(request):
        comment.children, comment.display_depth, comment.in_reply_to, comment.viewer_vote = [], comment.depth, "", 0
        return _comment_fragment(request, comment, "discussion/new_comment_fragment.html")
    if not visible:
        _notify(request, _("Thank you: your comment will appear once an editor has approved it."))
        return HttpResponseRedirect(article_anchor_url(article, "discussion"), status=303)
    return HttpResponseRedirect(reverse("discussion:permalink", args=[comment.pk]), status=303)


@require_POST
def vote(request, comment_id: int):
    """A member's vote, or a guest's when guests may comment (their id in a signed cookie, set here)."""
    member = request.user.is_authenticated
    raw_guest_id = "" if member else (guests.guest_id(request) or guests.new_guest_id())
    guest_key = guests.key_of(raw_guest_id) if raw_guest_id else ""
    try:
        require_discussion_access_to_comment(request, comment_id)
        form = strict_form(request)
        comment = check_vote(
            comment_id=comment_id, user=request.user, value=form.get("value"), guest_key=guest_key,
            ip=client_ip(request), policy=DiscussionSettings.current(request),
        )
    except DiscussionError as error:
        return refuse(request, error)
    if wants_fragment(request):
        comment = Comment.objects.for_display().get(pk=comment.pk)
        own = Vote.objects.filter(comment=comment, **({"voter": request.user} if member else {"guest_key": guest_key}))
        comment.viewer_vote = own.values_list("value", flat=True).first() or 0
        response = _comment_fragment(request, comment, "discussion/comment.html")
    else:
        response = HttpResponseRedirect(reverse("discussion:permalink", args=[comment.pk]), status=303)
    if not member:
        guests.remember_guest(request, response, raw_guest_id)
    return response


@require_GET
def reply(request, comment_id: int):
    """The reply form on a page of its own (the script shows the same form under the comment)."""
    parent = get_object_or_404(
        Comment.objects.select_related("thread", "author"), pk=comment_id, status=CommentStatus.APPROVED
    )
    article = live_article(parent.thread.page_id)
    if not may_read_discussion(request, article):
        return refuse(request, DiscussionError(LOCKED_MESSAGE, status=403), back=article.url)
    initial = quote_markdown(parent.author_name, parent.body) if request.GET.get("quote") else ""
    context = {
        "article": article,
        "parent": parent,
        "initial_body": initial,
        **viewer_context(request, parent.thread),
    }
    template = "discussion/reply_form.html" if wants_fragment(request) else "discussion/reply.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def edit(request, comment_id: int):
    try:
        require_discussion_access_to_comment(request, comment_id)  # the form holds the comment's text
    except DiscussionError as error:
        return refuse(request, error)
    comment = get_object_or_404(Comment.objects.select_related("thread", "author"), pk=comment_id)
    article = live_article(comment.thread.page_id)
    if request.method == "POST":
        try:
            form = strict_form(request)
            comment = check_edit_comment(comment_id=comment_id, user=request.user, body=form.get("body"))
        except DiscussionError as error:
            return refuse(request, error, back=reverse("discussion:edit", args=[comment_id]))
        if wants_fragment(request):
            comment = Comment.objects.for_display().get(pk=comment.pk)
            comment.viewer_vote = 0
            return _comment_fragment(request, comment, "discussion/comment.html")
        if comment.status != CommentStatus.APPROVED:
            _notify(request, _("Your edited comment will reappear once an editor has approved it."))
            return HttpResponseRedirect(article_anchor_url(article, "discussion"), status=303)
        return HttpResponseRedirect(reverse("discussion:permalink", args=[comment.pk]), status=303)
    if not comment.is_editable_by(request.user):
        return refuse(request, DiscussionError(_("You cannot edit this comment (any more)."), status=403))
    context = {"article": article, "comment": comment, **viewer_context(request, comment.thread)}
    template = "discussion/edit_form.html" if wants_fragment(request) else "discussion/edit.html"
    return render(request, template, context)


@require_POST
def delete(request, comment_id: int):
    page_id = Comment.objects.filter(pk=comment_id).values_list("thread__page_id", flat=True).first()
    try:
        require_discussion_access_to_comment(request, comment_id)
        placeholder = check_delete_comment(comment_id=comment_id, user=request.user)
    except DiscussionError as error:
        return refuse(request, error)
    if wants_fragment(request):
        if placeholder is None:
            return HttpResponse("", headers={"X-Discussion-Removed": str(comment_id)})
        return _comment_fragment(request, placeholder, "discussion/comment.html")
    _notify(request, _("Your comment has been deleted."))
    return HttpResponseRedirect(article_anchor_url(live_article(page_id), "discussion"), status=303)


@require_http_methods(["GET", "POST"])
def report(request, comment_id: int):
    comment = get_object_or_404(
        Comment.objects.select_related("thread", "author"), pk=comment_id, status=CommentStatus.APPROVED
    )
    article = live_article(comment.thread.page_id)
    if not may_read_discussion(request, article):
        return refuse(request, DiscussionError(LOCKED_MESSAGE, status=403), back=article.url)
    if request.method == "POST":
        try:
            form = strict_form(request)
            check_report_comment(
                comment_id=comment_id,
                user=request.user,
                reason=form.get("reason"),
                note=form.get("note", ""),
                ip=client_ip(request),
            )
        except DiscussionError as error:
            return refuse(request, error, back=reverse("discussion:report", args=[comment_id]))
        message = _("Thank you: an editor will look at this comment.")
        if wants_fragment(request):
            return HttpResponse(f'<p class="discussion-notice" role="status">{message}</p>')
        _notify(request, message)
        return HttpResponseRedirect(article_anchor_url(article, comment.anchor), status=303)
    context = {"article": article, "comment": comment, "reasons": FlagReason.choices,
               **viewer_context(request, comment.thread)}
    template = "discussion/report_form.html" if wants_fragment(request) else "discussion/report.html"
    return render(request, template, context)


@require_POST
def subscribe(request, page_id: int):
    article = live_article(page_id)
    try:
        require_discussion_access(request, article)  # a follower is mailed the comments
        check_subscribe_thread(page=article, user=request.user)
    except DiscussionError as error:
        return refuse(request, error)
    message = _("You will get an e-mail when someone comments on this article.")
    if wants_fragment(request):
        return HttpResponse(f'<p class="discussion-notice" role="status">{message}</p>')
    _notify(request, message)
    return HttpResponseRedirect(article_anchor_url(article, "discussion"), status=303)


# Mail clients POST the one-click unsubscribe (RFC 8058) without a CSRF token: the token in the address is the
# proof, and the request can only ever remove a subscription.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    subscription = Subscription.objects.select_related("thread__page").filter(token=token).first()
    if request.method == "POST":
        removed = do_unsubscribe(token=token)
        return render(request, "discussion/unsubscribed.html", {"removed": removed})
    return render(request, "discussion/unsubscribe.html", {"subscription": subscription, "token": token},
                  status=200 if subscription else 404)


# The link in a guest's confirmation e-mail. GET only shows a button, because mail scanners open links; the POST
# confirms. The token in the address is the proof, as for unsubscribing, so there is no CSRF token to check.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def confirm_guest(request, token: str):
    if request.method == "POST":
        address = do_confirm_guest_address(token=token)
        return render(request, "discussion/confirm_guest.html", {"address": address, "confirmed": True},
                      status=200 if address else 404)
    address = GuestAddress.objects.filter(token=token).first()
    return render(request, "discussion/confirm_guest.html", {"address": address, "confirmed": False},
                  status=200 if address else 404)
