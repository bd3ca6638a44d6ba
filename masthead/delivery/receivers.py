"""Every receiver that replaces the cache stamps (stamps.py): what readers see changed, or who may see it."""

from django.apps import apps
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished

from masthead.accounts.models import User
from masthead.core.signals import readers_see_changes
from masthead.delivery.stamps import replace


def _changes_announced(sender, content=False, membership=False, **kwargs):
    replace(content=content, membership=membership)


def _content_changed(sender, **kwargs):
    replace(content=True)


def _settings_changed(sender, created=False, **kwargs):
    if not created:
        replace(content=True)


def _membership_changed(sender, **kwargs):
    replace(membership=True)


def _account_saved(sender, update_fields=None, **kwargs):
    # Signing in only records the time (django.contrib.auth's update_last_login), which no page shows.
    if update_fields is None or set(update_fields) - {"last_login"}:
        replace(membership=True)


def _content_and_membership_changed(sender, **kwargs):
    replace(content=True, membership=True)


CONTENT_MODELS = [
    "wagtailcore.Page",
    "wagtailcore.Site",
    "wagtailcore.PageViewRestriction",
    "articles.Author",
    "articles.Topic",
    "articles.SourceOutlet",
    "discussion.DiscussionSettings",
]
# Site settings rows are made with their defaults the first time a page reads them: that changes nothing a
# reader sees (and would otherwise throw away the first page cached), so only later saves count.
SITE_SETTINGS_MODELS = ["articles.PublicationSettings", "membership.GateSettings"]
# The editors' questions beside an article (inline feedback), when that app is installed.
OPTIONAL_CONTENT_MODELS = ["annotations.FeedbackPoint"]
MEMBERSHIP_MODELS = ["membership.Subscription", "membership.ComplimentaryAccess"]


def model_exists(label: str) -> bool:
    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True


def connect_receivers() -> None:
    readers_see_changes.connect(_changes_announced, dispatch_uid="masthead.stamps.announced")
    
    def content_sender(model):
        # Signals are sent with the concrete class: a receiver for Page must hear ArticlePage too.
        def receiver(sender, instance=None, **kwargs):
            if isinstance(instance, model):
                replace(content=True)

        return receiver

    for label in CONTENT_MODELS + [label for label in OPTIONAL_CONTENT_MODELS if model_exists(label)]:
        model = apps.get_model(label)
        if model is Page:
            receiver = content_sender(Page)
            post_save.connect(receiver, weak=False, dispatch_uid="masthead.stamps.page.save")
            post_delete.connect(receiver, weak=False, dispatch_uid="masthead.stamps.page.delete")
            continue
        post_save.connect(_content_changed, sender=model, dispatch_uid=f"masthead.stamps.{label}.save")
        post_delete.connect(_content_changed, sender=model, dispatch_uid=f"masthead.stamps.{label}.delete")
    for label in SITE_SETTINGS_MODELS:
        model = apps.get_model(label)
        post_save.connect(_settings_changed, sender=model, dispatch_uid=f"masthead.stamps.{label}.save")
        post_delete.connect(_content_changed, sender=model, dispatch_uid=f"masthead.stamps.{label}.delete")
    image_model = get_image_model()
    post_save.connect(_content_changed, sender=image_model, dispatch_uid="masthead.stamps.image.save")
    post_delete.connect(_content_changed, sender=image_model, dispatch_uid="masthead.stamps.image.delete")
    page_published.connect(_content_changed, dispatch_uid="masthead.stamps.published")
    page_unpublished.connect(_content_changed, dispatch_uid="masthead.stamps.unpublished")
    # Tiers name who may read an article: both what pages show and what members get depend on them.
    tier = apps.get_model("membership.Tier")
    post_save.connect(_content_and_membership_changed, sender=tier, dispatch_uid="masthead.stamps.tier.save")
    post_delete.connect(_content_and_membership_changed, sender=tier, dispatch_uid="masthead.stamps.tier.delete")
    for label in MEMBERSHIP_MODELS:
        model = apps.get_model(label)
        post_save.connect(_membership_changed, sender=model, dispatch_uid=f"masthead.stamps.{label}.save")
        post_delete.connect(_membership_changed, sender=model, dispatch_uid=f"masthead.stamps.{label}.delete")
    # Who may use the Wagtail admin (and so must never get a cached page) follows groups and permissions.
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_membership_changed, sender=through, dispatch_uid=f"masthead.stamps.{through.__name__}")
    post_delete.connect(_membership_changed, sender=Group, dispatch_uid="masthead.stamps.group.delete")
    # What is kept of a reader (their tiers, whether they reach the admin) follows their account.
    post_save.connect(_account_saved, sender=User, dispatch_uid="masthead.stamps.user.save")
    post_delete.connect(_membership_changed, sender=User, dispatch_uid="masthead.stamps.user.delete")
