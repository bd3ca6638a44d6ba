"""Test factories for newsletters."""

import factory

from masthead.membership.factories import MemberFactory
from masthead.newsletters.models import (
    Cadence,
    ConsentSource,
    Newsletter,
    NewsletterSubscription,
    SubscriptionState,
)


class NewsletterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Newsletter

    name = factory.Sequence(lambda n: f"The Harbour Letter {n}")
    slug = factory.Sequence(lambda n: f"harbour-letter-{n}")
    description = "Every new article, the morning it is published."
    cadence = Cadence.EACH_ARTICLE
    default_on_sign_up = True


class NewsletterSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsletterSubscription

    member = factory.SubFactory(MemberFactory)
    newsletter = factory.SubFactory(NewsletterFactory)
    state = SubscriptionState.SUBSCRIBED
    consent_source = ConsentSource.SUBSCRIBE_FORM
