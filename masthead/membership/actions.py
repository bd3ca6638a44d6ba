"""Every membership write but payments: sign-in links, sign-up, profile, e-mail change, deletion.

Paid subscriptions (checkout and the payment provider's events) are written in `payment_actions`."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from masthead.accounts.models import User
from masthead.articles.models import PublicationSettings
from masthead.core import ratelimit
from masthead.core.signals import account_leaving
from masthead.membership.access import may_use_admin
from masthead.membership.models import (
    LinkPurpose,
    Member,
    SignInLink,
    hash_token,
)
from masthead.membership.payments import PaymentError, get_backend


class MembershipError(Exception):
    """A request that cannot be carried out, with a message for the reader and the HTTP status to answer."""

    def __init__(self, message: str, *, status: int = 400, title: str = ""):
        super().__init__(message)
        self.message = message
        self.status = status
        self.title = title or _("That did not work")


def link_lifetime() -> timedelta:
    return timedelta(minutes=settings.MASTHEAD_SIGN_IN_LINK_MINUTES)


def publication_name() -> str:
    site = Site.objects.filter(is_default_site=True).first()
    return PublicationSettings.for_site(site).name if site else settings.WAGTAIL_SITE_NAME


def member_for_email(email: str) -> Member | None:
    return (
        Member.objects.select_related("user").filter(user__email__iexact=email, user__is_active=True).first()
    )


# Sign-in links ---------------------------------------------------------------------------------------------


def check_request_link(*, email: str, ip_address: str) -> None:
    """Refuse when the address or the IP asked too often; the same answer whether or not it is a member."""
    per_address = ratelimit.allow(
        "link-address", email, limit=settings.MASTHEAD_LINK_REQUESTS_PER_ADDRESS, window_seconds=3600
    )
    per_ip = ratelimit.allow(
        "link-ip", ip_address or "unknown", limit=settings.MASTHEAD_LINK_REQUESTS_PER_IP, window_seconds=3600
    )
    if not (per_address and per_ip):
        raise MembershipError(
            _("Too many sign-in links were asked for from here or for this address. "
            "Wait an hour and try again."),
            status=429,
            title=_("Too many links asked for"),
        )


def do_request_link(*, email: str, display_name: str = "", next_path: str = "") -> None:
    """Mail a sign-in link to a member, or a sign-up confirmation to anyone else (no member until used)."""
    if any(may_use_admin(user) for user in User.objects.filter(email__iexact=email)):
        # Anyone who reaches the admin (superusers, Editors, Moderators, whatever their is_staff flag) signs in
        # with their password and whatever the admin adds to it, never by a mailed link.
        transaction.on_commit(lambda: _send_staff_notice(email))
        return
    member = member_for_email(email)
    if member is None:
        _send_link(purpose=LinkPurpose.SIGN_UP, email=email, display_name=display_name, next_path=next_path)
    else:
        _send_link(purpose=LinkPurpose.SIGN_IN, email=email, member=member, next_path=next_path)


def _send_staff_notice(email: str) -> None:
    send_mail(
        f"Signing in to {publication_name()}",
        "Someone asked for a sign-in link for this address, which belongs to a staff account. Staff sign in "
        f"with their password at {settings.MASTHEAD_BASE_URL}{reverse('wagtailadmin_login')}.\n",
        None,
        [email],
    )


def _send_link(*, purpose: str, email: str, member=None, display_name: str = "", next_path: str = "") -> None:
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        link = SignInLink.objects.create(
            token_hash=hash_token(token),
            created_at=now,
            purpose=purpose,
            email=email,
            member=member,
            display_name=display_name.strip()[:100],
            next_path=next_path,
            expires_at=now + link_lifetime(),
        )
        url = settings.MASTHEAD_BASE_URL + reverse("membership:use_link", kwargs={"token": token})
        name = publication_name()
        subject = {
            LinkPurpose.SIGN_UP: _("Confirm your membership of %(name)s") % {"name": name},
            LinkPurpose.SIGN_IN: _("Your sign-in link for %(name)s") % {"name": name},
            LinkPurpose.CHANGE_EMAIL: _("Confirm your new address for %(name)s") % {"name": name},
        }[purpose]
        body = render_to_string(
            "membership/email/link.txt",
            {
                "link": link,
                "url": url,
                "publication_name": name,
                "minutes": settings.MASTHEAD_SIGN_IN_LINK_MINUTES,
            },
        )
        transaction.on_commit(lambda: send_mail(subject, body, None, [email]))


def check_use_link(*, token: str) -> SignInLink:
    """The link for this token, or a MembershipError that says plainly why it cannot be used."""
    link = SignInLink.objects.select_related("member__user").filter(token_hash=hash_token(token)).first()
    if link is None:
        raise MembershipError(
            _("This link is not one we sent, or it was changed on the way (a character missing or added)."),
            title=_("This link is not valid"),
        )
    if link.used_at is not None:
        raise MembershipError(
            _("Each link works once, and this one has been used already."), title=_("This link was already used")
        )
    if link.is_expired:
        raise MembershipError(
            _("Links work for %(minutes)s minutes, and this one is older.") % {"minutes": settings.MASTHEAD_SIGN_IN_LINK_MINUTES},
            title=_("This link has expired"),
        )
    return link


def do_use_link(*, link: SignInLink) -> User:
    """Use the link up (once, even under concurrent clicks) and return the member's user to sign in; never a
    user who reaches the admin, whatever rights they were given since the link was sent."""
    user = _user_for_link(link)
    if may_use_admin(user):
        raise MembershipError(
            _("This address belongs to an account that signs in with its password, not by link."),
            title=_("This link is not valid"),
        )
    return user


def _user_for_link(link: SignInLink) -> User:
    with transaction.atomic():
        used = SignInLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=timezone.now())
        if not used:
            raise MembershipError(
                _("Each link works once, and this one has been used already."),
                title=_("This link was already used"),
            )
        if link.purpose == LinkPurpose.SIGN_UP:
            member = member_for_email(link.email) or create_member(
                email=link.email, display_name=link.display_name
            )
            if member is None:
                raise MembershipError(
                    _("This address belongs to an account that cannot sign in by link."),
                    title=_("This link is not valid"),
                )
            return member.user
        if link.purpose == LinkPurpose.SIGN_IN:
            # Bound to the address: a member who has since moved to another address cannot use an old link.
            member = member_for_email(link.email)
            if member is None or member.pk != link.member_id:
                raise MembershipError(
                    _("This link was sent to an address that no longer belongs to a member."),
                    title=_("This link is not valid"),
                )
            return member.user
        member = link.member
        if member is None or not member.user.is_active:
            raise MembershipError(
                _("The membership this link was for no longer exists."), title=_("This link is not valid")
            )
        if User.objects.filter(email__iexact=link.email).exclude(pk=member.user_id).exists():
            raise MembershipError(
                _("That address belongs to another membership now."), title=_("This address is taken")
            )
        member.user.email = link.email
        member.user.save(update_fields=["email"])
        return member.user


def create_member(*, email: str, display_name: str) -> Member | None:
    """A new member, or the membership of an existing reader account with this address; None for staff."""
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        return None if may_use_admin(existing) or not existing.is_active else member_of(existing)
    try:
        with transaction.atomic():
            user = User(username=f"member-{secrets.token_hex(8)}", email=email, display_name=display_name)
            user.set_unusable_password()  # members sign in by link only
            user.save()
            return Member.objects.create(user=user)
    except IntegrityError:  # the same address confirmed twice at once: the other click won
        return member_for_email(email)


# The member's own page -------------------------------------------------------------------------------------


def member_of(user) -> Member:
    """The user's membership, created for an account that predates the membership app."""
    member, _ = Member.objects.get_or_create(user=user)
    return member


def do_update_profile(*, member: Member, display_name: str) -> None:
    member.user.display_name = display_name.strip()
    member.user.save(update_fields=["display_name"])


def do_request_email_change(*, member: Member, new_email: str) -> None:
    """Mail a confirmation link to the new address; a taken address gets nothing, with the same answer."""
    if User.objects.filter(email__iexact=new_email).exists():
        return
    _send_link(purpose=LinkPurpose.CHANGE_EMAIL, email=new_email, member=member)


def _renewing(member: Member) -> list:
    return [
        subscription
        for subscription in member.subscriptions.all()
        if subscription.gives_access and not subscription.cancel_at_period_end
    ]


def check_delete_account(*, member: Member) -> None:
    """A renewing subscription is cancelled with the account; without a payment provider it can't be, so no."""
    if _renewing(member) and not get_backend().is_configured:
        raise MembershipError(
            _("You have a paid subscription that renews, and payments are switched off on this site, so it "
            "cannot be cancelled from here. Write to the editors to cancel it, then delete your account."),
            status=409,
            title=_("Cancel your subscription first"),
        )


def do_delete_account(*, member: Member) -> None:
    """Delete the member's personal data, in one transaction: the account, the membership, its links, its
    subscriptions, and what other apps hold of them (core.signals.account_leaving: the discussion's comments stay,
    by a "deleted member").

    A subscription that would renew is cancelled at the provider first, so a deleted member is never charged
    again; if the provider can't be reached, nothing is deleted and the member is told.
    """
    for subscription in _renewing(member):
        try:
            get_backend().cancel_subscription(provider_subscription_id=subscription.provider_subscription_id)
        except PaymentError as error:
            raise MembershipError(
                _(
                    "Your subscription could not be cancelled at the payment provider (%(error)s), so your account "
                    "is kept. Try again in a few minutes, or cancel it from Manage your subscription first."
                )
                % {"error": error},
                status=502,
                title=_("Your account is not deleted"),
            ) from error
    with transaction.atomic():
        user = member.user
        account_leaving.send(sender=Member, user=user)
        if user.email:
            SignInLink.objects.filter(email__iexact=user.email).delete()
        # With the account go the membership, its subscriptions, complimentary access, the payment customer
        # id, the links sent to other addresses and a ban on the account; post_delete replaces the membership
        # stamp.
        user.delete()
