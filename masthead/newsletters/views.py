"""Newsletter pages: the Subscribe form and its confirmation, unsubscribing by link, joining and leaving."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from masthead.core.client_ip import client_ip
from masthead.core.i18n import use_language
from masthead.membership.actions import member_of
from masthead.newsletters import actions
from masthead.newsletters.forms import SubscribeForm


def _problem(request, error: actions.NewsletterError):
    return render(
        request,
        "newsletters/problem.html",
        {"problem": error.title, "explanation": error.message},
        status=error.status,
    )


# Not exempt from CSRF: a forged cross-site post would spend an address's allowance and mail it links.
@require_http_methods(["GET", "POST"])
def subscribe(request):
    if request.method != "POST":
        return render(request, "newsletters/subscribe.html", {"form": SubscribeForm()})
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return render(request, "newsletters/subscribe.html", {"form": form}, status=400)
    email = form.cleaned_data["email"]
    try:
        actions.check_request_subscription(email=email, ip_address=client_ip(request))
    except actions.NewsletterError as error:
        return _problem(request, error)
    actions.do_request_subscription(email=email)
    # The same page for members and strangers alike: the answer never tells who is a member.
    return render(request, "newsletters/link_sent.html", {"email": email})


# The link in the confirmation e-mail. GET only shows a button, because mail scanners open links; the POST
# confirms. The signed token in the address is the proof (as for unsubscribing), so no CSRF token is needed,
# and the page sends no Referer that would carry the token elsewhere.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    try:
        email = actions.check_confirm_subscription(token=token)
    except actions.NewsletterError as error:
        return _problem(request, error)
    if request.method != "POST":
        response = render(request, "newsletters/confirm.html", {"email": email, "token": token})
        response["Referrer-Policy"] = "no-referrer"
        return response
    try:
        member = actions.do_confirm_subscription(email=email)
    except actions.NewsletterError as error:
        return _problem(request, error)
    return render(
        request,
        "newsletters/confirmed.html",
        {"email": email, "newsletters": actions.subscribed_newsletters(member)},
    )


# Mail clients POST the one-click unsubscribe (RFC 8058: body "List-Unsubscribe=One-Click") without a CSRF token
# or a session; the signed token in the address is the proof, and the request can only ever unsubscribe.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    try:
        subscription = actions.check_unsubscribe(token=token)
    except actions.NewsletterError as error:
        return _problem(request, error)
    use_language(subscription.newsletter.language)  # the page speaks the language of the mail its link came in
    if request.method == "POST":
        actions.do_unsubscribe(subscription=subscription)
        return render(request, "newsletters/unsubscribed.html", {"subscription": subscription})
    response = render(request, "newsletters/unsubscribe.html", {"subscription": subscription, "token": token})
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required(login_url="membership:sign_in")
@require_POST
def join(request, slug: str):
    member = member_of(request.user)
    try:
        newsletter = actions.check_join(member=member, slug=slug)
    except actions.NewsletterError as error:
        return _problem(request, error)
    actions.do_join(member=member, newsletter=newsletter)
    return redirect(reverse("membership:account") + "?saved=newsletters#newsletters")


@login_required(login_url="membership:sign_in")
@require_POST
def leave(request, slug: str):
    member = member_of(request.user)
    try:
        newsletter = actions.check_leave(slug=slug)
    except actions.NewsletterError as error:
        return _problem(request, error)
    actions.do_leave(member=member, newsletter=newsletter)
    return redirect(reverse("membership:account") + "?saved=newsletters#newsletters")
