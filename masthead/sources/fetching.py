"""One bounded HTTP GET of a feed: http(s) only, a timeout for the whole answer, a ceiling on its size, and the
validators of the last answer sent back (If-None-Match, If-Modified-Since) so an unchanged feed costs a 304."""

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings

WEB_SCHEMES = ("http", "https")
MAX_REDIRECTS = 5
ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"


class FetchError(Exception):
    """The feed could not be fetched; the message says why, for the editor."""


@dataclass
class Fetched:
    not_modified: bool
    body: bytes = b""
    url: str = ""  # where the answer came from, after redirects (the base for relative links)
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""


def check_web_address(url: str) -> None:
    if urlsplit(url).scheme.lower() not in WEB_SCHEMES or not urlsplit(url).hostname:
        raise FetchError(f"{url} is not an http:// or https:// address.")


def fetch_feed(url: str, *, etag: str = "", last_modified: str = "") -> Fetched:
    """GET the feed; a 304 is `not_modified`, anything but a 2xx or 304 is a FetchError, as are timeouts,
    refused connections, redirects away from http(s) and bodies over MASTHEAD_SOURCE_FEED_MAX_BYTES."""
    check_web_address(url)
    timeout = settings.MASTHEAD_SOURCE_FEED_TIMEOUT_SECONDS
    max_bytes = settings.MASTHEAD_SOURCE_FEED_MAX_BYTES
    headers = {"Accept": ACCEPT, "User-Agent": f"masthead feed reader (+{settings.MASTHEAD_BASE_URL})"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + timeout
    with requests.Session() as session:
        session.max_redirects = MAX_REDIRECTS
        try:
            # requests' timeout bounds each wait on the socket; the deadline below bounds the whole answer, so a
            # server that sends a byte a second cannot hold a worker for longer than the timeout either.
            with session.get(url, headers=headers, timeout=timeout, stream=True, allow_redirects=True) as response:
                check_web_address(response.url)
                if response.status_code == 304:
                    return Fetched(not_modified=True, url=response.url)
                if not 200 <= response.status_code < 300:
                    raise FetchError(f"The feed's server answered {response.status_code} {response.reason}.")
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError(f"The feed is {int(declared):,} bytes, over the limit of {max_bytes:,}.")
                body = bytearray()
                for chunk in response.iter_content(chunk_size=64 * 1024):
                    body += chunk
                    if len(body) > max_bytes:
                        raise FetchError(f"The feed is over the limit of {max_bytes:,} bytes.")
                    if time.monotonic() > deadline:
                        raise FetchError(f"The feed took longer than {timeout} seconds to arrive.")
                return Fetched(
                    not_modified=False,
                    body=bytes(body),
                    url=response.url,
                    content_type=response.headers.get("Content-Type", ""),
                    etag=response.headers.get("ETag", "")[:255],
                    last_modified=response.headers.get("Last-Modified", "")[:64],
                )
        except requests.Timeout:
            raise FetchError(f"The feed's server did not answer within {timeout} seconds.") from None
        except requests.TooManyRedirects:
            raise FetchError(f"The feed's address redirects more than {MAX_REDIRECTS} times.") from None
        except requests.ConnectionError as error:
            raise FetchError(f"Could not connect to the feed's server ({_reason(error)}).") from None
        except requests.RequestException as error:
            raise FetchError(f"The feed could not be fetched ({_reason(error)}).") from None


def _reason(error: Exception) -> str:
    # requests nests the socket's own error a few levels down; its last line says what happened.
    return str(error).strip().splitlines()[-1][:300] if str(error).strip() else type(error).__name__
