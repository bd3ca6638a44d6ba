"""Fixtures shared by the membership tests."""

import pytest

from masthead.articles.factories import make_article, paragraph

PASSAGE = "The reservoir fell to a third of its capacity in August."


@pytest.fixture
def article(section):
    """An article with a passage to comment on inline."""
    return make_article(
        section=section,
        title="The dry reservoir",
        body=[paragraph(PASSAGE), paragraph("Engineers blamed the leaking aqueduct.")],
    )
