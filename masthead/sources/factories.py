"""Test factories for source feeds."""

import factory

from masthead.articles.factories import SourceOutletFactory, make_section
from masthead.sources.models import SourceFeed


class SourceFeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SourceFeed

    source_outlet = factory.SubFactory(SourceOutletFactory)
    url = factory.Sequence(lambda n: f"http://127.0.0.1:9/feed-{n}.xml")
    section = factory.LazyFunction(lambda: make_section("Republished", "republished"))
    licence_note = "Republished with permission under CC BY-ND 4.0."
    check_every_minutes = 60
