"""Every operation of the three JSON APIs (articles, discussion, inline feedback), called by schemathesis with
values its OpenAPI schema allows and values it forbids, in-process through the WSGI application: none answers
with a server error (issue 12 item 13)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error

from masthead.annotations.api import api as annotations_api
from masthead.api import api as articles_api
from masthead.articles.factories import make_article, paragraph
from masthead.discussion.api import api as discussion_api

pytestmark = pytest.mark.django_db
# Per operation; the three APIs have a dozen operations, so the whole run stays well under a minute.
EXAMPLES_PER_OPERATION = 12
APPLICATION = get_wsgi_application()


def schema_of(api):
    """The API's OpenAPI document as django-ninja publishes it at openapi.json (built here, without a request,
    since collection happens before the test database exists)."""
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    schema.config.generation.update(max_examples=EXAMPLES_PER_OPERATION, deterministic=True)
    return schema


articles_schema = schema_of(articles_api)
discussion_schema = schema_of(discussion_api)
annotations_schema = schema_of(annotations_api)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # The WSGI handler closes a connection that is not in autocommit at the end of each request, which is the
    # test's own transaction on PostgreSQL; Django's test client turns this off the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def article(section):
    # Something real for the generated ids to find among the hostile ones.
    return make_article(section=section, title="The dry reservoir", body=[paragraph("The reservoir fell.")])


# The article is made once per operation and only read; an example's writes are rolled back with the test.
SHARED_ARTICLE = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def call_and_check(case):
    response = case.call(app=APPLICATION)
    case.validate_response(response, checks=[not_a_server_error])


@articles_schema.parametrize()
@SHARED_ARTICLE
def test_no_articles_api_operation_answers_with_a_server_error(case, article):
    call_and_check(case)


@discussion_schema.parametrize()
@SHARED_ARTICLE
def test_no_discussion_api_operation_answers_with_a_server_error(case, article):
    call_and_check(case)


@annotations_schema.parametrize()
@SHARED_ARTICLE
def test_no_inline_feedback_api_operation_answers_with_a_server_error(case, article):
    call_and_check(case)
