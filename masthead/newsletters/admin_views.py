"""The newsletter pages of the Wagtail admin: the list of sends and each send's live page (counts, progress,
Pause and Resume), and an article's or issue's mail: a preview per access class, a test to oneself, and
"send only" (mail an article already published)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.models import Page

from masthead.core.pagination import paginate
from masthead.newsletters import send_actions
from masthead.newsletters.actions import NewsletterError
from masthead.newsletters.compose import UNSUBSCRIBE_PLACEHOLDER
from masthead.newsletters.models import Newsletter, Segment, Send
from masthead.newsletters.send_counts import counts_for, counts_for_sends

VIEW_SENDS = "newsletters.view_send"
CHANGE_SENDS = "newsletters.change_send"


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def send_list(request):
    _require(request, VIEW_SENDS)
    page_obj = paginate(request, Send.objects.select_related("newsletter").order_by("-created_at"), per_page=50)
    sends = list(page_obj.object_list)
    totals = counts_for_sends(sends)
    rows = [{"send": send, "counts": totals[send.pk]} for send in sends]
    return render(request, "newsletters/admin/send_list.html", {"rows": rows, "page_obj": page_obj})


def send_detail(request, send_id: int):
    _require(request, VIEW_SENDS)
    send = get_object_or_404(Send.objects.select_related("newsletter", "article", "issue"), pk=send_id)
    counts = counts_for(send)
    if request.GET.get("format") == "json":
        return JsonResponse({"status": send.status, "status_label": send.get_status_display(), **counts})
    return render(
        request,
        "newsletters/admin/send_detail.html",
        {"send": send, "counts": counts, "may_change": request.user.has_perm(CHANGE_SENDS)},
    )


@require_POST
def pause_send(request, send_id: int):
    return _pause_or_resume(request, send_id, send_actions.check_pause, send_actions.do_pause, "Paused.")


@require_POST
def resume_send(request, send_id: int):
    return _pause_or_resume(request, send_id, send_actions.check_resume, send_actions.do_resume, "Resumed.")


def _pause_or_resume(request, send_id, check, do, done: str):
    _require(request, CHANGE_SENDS)
    send = get_object_or_404(Send, pk=send_id)
    try:
        check(send=send)
    except NewsletterError as error:
        messages.error(request, error.message)
    else:
        do(send=send)
        messages.success(request, done)
    return redirect("newsletters_admin:send", send_id=send.pk)


# An article's or issue's mail --------------------------------------------------------------------------------


def _page_for(request, page_id: int):
    page = get_object_or_404(Page, pk=page_id).specific
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return page


def _choices(request, page):
    newsletters = list(Newsletter.objects.filter(is_active=True))
    chosen = request.POST.get("newsletter") or request.GET.get("newsletter")
    newsletter = next((n for n in newsletters if str(n.pk) == chosen), newsletters[0] if newsletters else None)
    readers = send_actions.preview_readers()
    access = request.POST.get("access") or request.GET.get("access") or "free"
    if access not in readers:
        access = "free"
    return newsletters, newsletter, readers, access


@require_http_methods(["GET", "POST"])
def page_mail(request, page_id: int):
    """Preview, test, and (for a published article) send only."""
    page = _page_for(request, page_id)
    newsletters, newsletter, readers, access = _choices(request, page)
    if request.method == "POST" and newsletter is not None:
        try:
            if request.POST.get("action") == "test":
                composer = send_actions.composer_for_page(page, newsletter)
                send_actions.do_send_test(composer=composer, reader=readers[access][1], email=request.user.email)
                messages.success(request, f"A test is on its way to {request.user.email}.")
            elif request.POST.get("action") == "send":
                if not page.permissions_for_user(request.user).can_publish():
                    raise PermissionDenied
                segment = request.POST.get("segment", Segment.EVERYONE)
                if segment not in Segment.values:
                    raise NewsletterError("Choose everyone, free members or paying members.")
                send_actions.check_send_article(article=page, newsletter=newsletter)
                send = send_actions.do_send_article(
                    article=page, newsletter=newsletter, segment=segment, user=request.user
                )
                if send is not None:
                    return redirect("newsletters_admin:send", send_id=send.pk)
        except NewsletterError as error:
            messages.error(request, error.message)
        query = f"?newsletter={newsletter.pk}&access={access}"
        return redirect(reverse("newsletters_admin:page_mail", args=[page.pk]) + query)
    context = {
        "page": page,
        "newsletters": newsletters,
        "newsletter": newsletter,
        "readers": [(key, label) for key, (label, _) in readers.items()],
        "access": access,
        "segments": Segment.choices,
        "is_article": page.specific_class.__name__ == "ArticlePage",
        "sends": Send.objects.filter(article_id=page.pk).select_related("newsletter")
        | Send.objects.filter(issue_id=page.pk).select_related("newsletter"),
    }
    return render(request, "newsletters/admin/page_mail.html", context)


def page_mail_preview(request, page_id: int):
    """The HTML message as the chosen access class would get it, shown in the browser (in the page's iframe)."""
    page = _page_for(request, page_id)
    newsletters, newsletter, readers, access = _choices(request, page)
    if newsletter is None:
        raise Http404("There is no active newsletter to preview the message for.")
    try:
        composer = send_actions.composer_for_page(page, newsletter)
    except NewsletterError as error:
        raise Http404(error.message) from None
    _, html = composer.rendered_for(readers[access][1])
    response = HttpResponse(html.replace(UNSUBSCRIBE_PLACEHOLDER, "#unsubscribe-link"))
    # The preview holds the editor's draft: it is never cached, and only this admin frames it.
    response["Cache-Control"] = "private, no-store"
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


