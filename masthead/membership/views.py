"""Member pages: ask for a link, use it, sign out, the member's own page, and the subscription pages."""

import json

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.utils.translation import gettext as _

from masthead.core.client_ip import client_ip
from masthead.membership import actions, payment_actions
from masthead.membership.forms import ChangeEmailForm, ProfileForm, RequestLinkForm, safe_next_path
from masthead.membership.models import LinkPurpose, Tier
from masthead.membership.payments import InvalidWebhook, PaymentError, get_backend
from masthead.membership.personal_data import member_data


def _problem(request, error: actions.MembershipError, template="membership/problem.html", **context):
    return render(
        request,
        template,
        {"problem": error.title, "explanation": error.message, **context},
        status=error.status,
    )


# Not exempt from CSRF: a forged cross-site post would spend the reader's address's link allowance and mail
# links they never asked for. Article pages that embed the form still cache, with a hole for the token.
def sign_in(request):
    if request.method != "POST":
        next_path = safe_next_path(request.GET.get("next", ""))
        return render(
            request,
            "membership/sign_in.html",
            {"form": RequestLinkForm(initial={"next": next_path}), "next": next_path},
        )
    form = RequestLinkForm(request.POST)
    if not form.is_valid():
        next_path = safe_next_path(request.POST.get("next", ""))
        return render(request, "membership/sign_in.html", {"form": form, "next": next_path}, status=400)
    email = form.cleaned_data["email"]
    try:
        actions.check_request_link(email=email, ip_address=client_ip(request))
    except actions.MembershipError as error:
        return render(
            request, "membership/rate_limited.html", {"message": error.message}, status=error.status
        )
    actions.do_request_link(
        email=email, display_name=form.cleaned_data["display_name"], next_path=form.cleaned_data["next"]
    )
    # The same page for members and strangers alike: the answer must not tell who is a member.
    return render(request, "membership/link_sent.html", {"email": email})


LINK_SESSION_KEY = "membership_link_token"


def use_link(request, token=None):
    """The page an e-mailed link opens. Its token leaves the address at once: kept in the session and
    redirected away, so that it stays out of the server's access log after that first line, the browser's
    history and any Referer; the button on the token-less page then uses it."""
    if token is not None and request.method != "POST":
        request.session[LINK_SESSION_KEY] = token
        response = redirect("membership:use_pending_link")
        response["Referrer-Policy"] = "no-referrer"
        return response
    if token is None:
        token = request.session.get(LINK_SESSION_KEY, "")
    try:
        link = actions.check_use_link(token=token)
    except actions.MembershipError as error:
        return _problem(request, error, "membership/link_invalid.html", form=None)
    if request.method != "POST":
        # The site's own Referrer-Policy (same-origin) holds here: "no-referrer" would make the browser post the
        # button's form with a null Origin, which the CSRF check refuses.
        return render(request, "membership/link_confirm.html", {"link": link})
    request.session.pop(LINK_SESSION_KEY, None)
    if link.purpose == LinkPurpose.CHANGE_EMAIL and (
        not request.user.is_authenticated or request.user.pk != link.member.user_id
    ):
        # Changing an address is confirmed by the member, signed in, from the new inbox.
        error = actions.MembershipError(
            _("Sign in to your account first, then open this link again."), status=403, title=_("Sign in first")
        )
        return _problem(request, error, "membership/link_invalid.html")
    try:
        user = actions.do_use_link(link=link)
    except actions.MembershipError as error:
        return _problem(request, error, "membership/link_invalid.html")
    if link.purpose != LinkPurpose.CHANGE_EMAIL:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")  # a new session key: no fixation
        # Checked again on the way out: a link stored before the check was strict must not send anyone away.
        return HttpResponseRedirect(safe_next_path(link.next_path) or reverse("membership:account"))
    return redirect("membership:account")


@require_POST
def sign_out(request):
    logout(request)
    return redirect("/")


def _member_page_context(request, member, **extra):
    return {
        "member": member,
        "profile_form": ProfileForm(
            initial={"display_name": member.user.display_name}
        ),
        "email_form": ChangeEmailForm(),
        "subscriptions": list(member.subscriptions.select_related("tier")),
        "complimentary": list(member.complimentary_access.current().select_related("tier")),
        "payments_enabled": get_backend().is_configured,
        **extra,
    }


@login_required(login_url="membership:sign_in")
def account(request):
    member = actions.member_of(request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if not form.is_valid():
            return render(
                request,
                "membership/account.html",
                _member_page_context(request, member, profile_form=form),
                status=400,
            )
        actions.do_update_profile(
            member=member,
            display_name=form.cleaned_data["display_name"],
        )
        return redirect(reverse("membership:account") + "?saved=profile")
    return render(
        request,
        "membership/account.html",
        _member_page_context(request, member, saved=request.GET.get("saved")),
    )


@login_required(login_url="membership:sign_in")
@require_POST
def change_email(request):
    member = actions.member_of(request.user)
    form = ChangeEmailForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "membership/account.html",
            _member_page_context(request, member, email_form=form),
            status=400,
        )
    actions.do_request_email_change(member=member, new_email=form.cleaned_data["email"])
    return redirect(reverse("membership:account") + "?saved=email")


@login_required(login_url="membership:sign_in")
def download_data(request):
    member = actions.member_of(request.user)
    response = HttpResponse(
        json.dumps(member_data(member, request=request), indent=2, ensure_ascii=False),
        content_type="application/json",
    )
    response["Content-Disposition"] = 'attachment; filename="my-membership-data.json"'
    return response


@login_required(login_url="membership:sign_in")
@require_POST
def delete_account(request):
    member = actions.member_of(request.user)
    if request.POST.get("confirm") != "delete":
        error = actions.MembershipError(_("Tick the box to confirm that you want your account deleted."))
        return render(
            request,
            "membership/account.html",
            _member_page_context(request, member, delete_error=error.message),
            status=400,
        )
    try:
        actions.check_delete_account(member=member)
        actions.do_delete_account(member=member)
    except actions.MembershipError as error:
        return render(
            request,
            "membership/account.html",
            _member_page_context(request, member, delete_error=error.message),
            status=error.status,
        )
    logout(request)
    return render(request, "membership/deleted.html")


def join(request):
    return render(
        request,
        "membership/join.html",
        {"tiers": Tier.objects.filter(is_active=True), "payments_enabled": get_backend().is_configured},
    )


@login_required(login_url="membership:sign_in")
@require_POST
def checkout(request):
    member = actions.member_of(request.user)
    try:
        tier = payment_actions.check_checkout(
            member=member, tier_slug=request.POST.get("tier", ""), interval=request.POST.get("interval", "")
        )
        url = payment_actions.do_start_checkout(
            member=member,
            tier=tier,
            interval=request.POST["interval"],
            success_url=settings.MASTHEAD_BASE_URL + reverse("membership:account") + "?saved=subscription",
            cancel_url=settings.MASTHEAD_BASE_URL + reverse("membership:join"),
        )
    except actions.MembershipError as error:
        return _problem(request, error)
    except PaymentError as error:
        return _problem(request, actions.MembershipError(_("The payment provider said: %(error)s") % {"error": error}, status=502))
    return HttpResponseRedirect(url)


@login_required(login_url="membership:sign_in")
@require_POST
def portal(request):
    member = actions.member_of(request.user)
    backend = get_backend()
    if not backend.is_configured or not member.stripe_customer_id:
        return _problem(request, actions.MembershipError(_("You have no paid subscription to manage.")))
    try:
        url = backend.portal_url(
            member=member, return_url=settings.MASTHEAD_BASE_URL + reverse("membership:account")
        )
    except PaymentError as error:
        return _problem(request, actions.MembershipError(_("The payment provider said: %(error)s") % {"error": error}, status=502))
    return HttpResponseRedirect(url)


@csrf_exempt  # the provider cannot hold a CSRF token; its signature is checked instead
@require_POST
def payment_webhook(request):
    backend = get_backend()
    if not backend.is_configured:
        return HttpResponse("Payments are not configured.", status=400, content_type="text/plain")
    try:
        event = backend.parse_webhook(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
        applied = payment_actions.do_apply_payment_event(event=event)
    except InvalidWebhook as error:
        return HttpResponse(f"Refused: {error}", status=400, content_type="text/plain")
    return HttpResponse("applied" if applied else "already applied", content_type="text/plain")
