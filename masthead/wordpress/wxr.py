"""A streaming reader of WordPress export files (WXR 1.0-1.2): one record at a time, memory flat with file size.

The XML parser is defusedxml's (expat underneath): a file that declares entities (the "billion laughs" bomb) or
refers to external ones is refused, never expanded or fetched. Elements count only in the namespaces WordPress
writes (`wordpress.org/export/1.x/`, http or https); an element in any other namespace is ignored, whatever its
local name. A file that is not well-formed is refused with the line and column expat stopped at.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ErrorString

import defusedxml
from defusedxml.ElementTree import iterparse

from masthead.wordpress import phpserial

WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/1\.\d+/$")
EXCERPT_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/1\.\d+/excerpt/$")
CONTENT_NAMESPACE = "http://purl.org/rss/1.0/modules/content/"
DC_NAMESPACE = "http://purl.org/dc/elements/1.1/"
KNOWN_VERSIONS = ("1.0", "1.1", "1.2")


class WXRError(Exception):
    """The file cannot be imported; `line` and `column` (1-based) say where, when the parser knows."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        self.line, self.column = line, column
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(f"{message}{where}")


@dataclass
class Channel:
    title: str = ""
    link: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    wxr_version: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        """Which WordPress site the export came from: the key under which its ids are remembered."""
        return (self.base_blog_url or self.base_site_url or self.link).rstrip("/")


@dataclass
class Author:
    login: str
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""
    wp_id: str = ""


@dataclass
class Term:
    taxonomy: str  # "category", "post_tag" or a custom taxonomy
    slug: str
    name: str
    parent_slug: str = ""
    description: str = ""
    wp_id: str = ""


@dataclass
class Comment:
    wp_id: str
    author: str = ""
    email: str = ""
    url: str = ""
    date: str = ""
    date_gmt: str = ""
    content: str = ""
    approved: str = "1"
    type: str = ""
    parent: str = "0"
    user_id: str = "0"
    meta: dict = field(default_factory=dict)


@dataclass
class Item:
    wp_id: str
    title: str = ""
    link: str = ""
    guid: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    date: str = ""
    date_gmt: str = ""
    modified_gmt: str = ""
    comment_status: str = "open"
    slug: str = ""
    status: str = "publish"
    parent: str = "0"
    post_type: str = "post"
    password: str = ""
    is_sticky: bool = False
    attachment_url: str = ""
    terms: list[tuple[str, str, str]] = field(default_factory=list)  # (taxonomy, slug, name)
    meta: dict = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)


def _split(tag) -> tuple[str, str]:
    if not isinstance(tag, str):  # comments and processing instructions
        return "", ""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _wp(element) -> str:
    """The element's local name when it is in a WordPress export namespace, else ''."""
    namespace, local = _split(element.tag)
    return local if WP_NAMESPACE.match(namespace) else ""


def _text(element) -> str:
    return "".join(element.itertext()) if element is not None else ""


def _wp_fields(element) -> dict[str, str]:
    """The element's WordPress-namespaced children as {local name: text}; the first of each name wins."""
    fields = {}
    for child in element:
        name = _wp(child)
        if name and name not in fields:
            fields[name] = _text(child).strip() if name not in ("comment_content", "meta_value") else _text(child)
    return fields


def read_meta(element) -> dict:
    """postmeta/commentmeta children as {key: value}; serialized PHP is unserialized, or kept as text."""
    meta = {}
    for child in element:
        if _wp(child) not in ("postmeta", "commentmeta"):
            continue
        fields = _wp_fields(child)
        key, value = fields.get("meta_key", ""), fields.get("meta_value", "")
        if not key:
            continue
        if phpserial.looks_serialized(value):
            try:
                value = phpserial.loads(value)
            except phpserial.PHPSerialError:
                pass  # kept as the text it was; the importer reads only the keys it knows
        meta[key] = value
    return meta


def _author(element) -> Author:
    f = _wp_fields(element)
    return Author(
        login=f.get("author_login", ""), email=f.get("author_email", ""),
        display_name=f.get("author_display_name", ""), first_name=f.get("author_first_name", ""),
        last_name=f.get("author_last_name", ""), wp_id=f.get("author_id", ""),
    )


def _term(element, kind: str) -> Term:
    f = _wp_fields(element)
    if kind == "category":
        return Term("category", f.get("category_nicename", ""), f.get("cat_name", ""),
                    f.get("category_parent", ""), f.get("category_description", ""), f.get("term_id", ""))
    if kind == "tag":
        return Term("post_tag", f.get("tag_slug", ""), f.get("tag_name", ""), "",
                    f.get("tag_description", ""), f.get("term_id", ""))
    return Term(f.get("term_taxonomy", ""), f.get("term_slug", ""), f.get("term_name", ""),
                f.get("term_parent", ""), f.get("term_description", ""), f.get("term_id", ""))


def _comment(element, position: int) -> Comment:
    f = _wp_fields(element)
    return Comment(
        wp_id=f.get("comment_id") or f"position-{position}",
        author=f.get("comment_author", ""), email=f.get("comment_author_email", ""),
        url=f.get("comment_author_url", ""), date=f.get("comment_date", ""),
        date_gmt=f.get("comment_date_gmt", ""), content=f.get("comment_content", ""),
        approved=f.get("comment_approved", "1"), type=f.get("comment_type", ""),
        parent=f.get("comment_parent", "0") or "0", user_id=f.get("comment_user_id", "0"),
        meta=read_meta(element),
    )


def _item(element) -> Item:
    f = _wp_fields(element)
    item = Item(wp_id=f.get("post_id", ""))
    item.date, item.date_gmt = f.get("post_date", ""), f.get("post_date_gmt", "")
    item.modified_gmt = f.get("post_modified_gmt", "")
    item.comment_status = f.get("comment_status", "open")
    item.slug, item.status = f.get("post_name", ""), f.get("status", "publish") or "publish"
    item.parent, item.post_type = f.get("post_parent", "0"), f.get("post_type", "post") or "post"
    item.password, item.is_sticky = f.get("post_password", ""), f.get("is_sticky", "0") == "1"
    item.attachment_url = f.get("attachment_url", "")
    comment_position = 0
    bare = []  # WXR 1.0 repeats each category without domain or slug; counted only when nothing else names one
    for child in element:
        namespace, local = _split(child.tag)
        if namespace == "" and local in ("title", "link", "guid") and not getattr(item, local):
            setattr(item, local, _text(child).strip())
        elif namespace == "" and local == "category":
            taxonomy = child.get("domain") or "category"
            taxonomy = "post_tag" if taxonomy == "tag" else taxonomy
            name = _text(child).strip()
            if child.get("nicename") or child.get("domain"):
                item.terms.append((taxonomy, child.get("nicename") or "", name))
            elif name:
                bare.append(("category", "", name))
        elif namespace == DC_NAMESPACE and local == "creator" and not item.creator:
            item.creator = _text(child).strip()
        elif namespace == CONTENT_NAMESPACE and local == "encoded" and not item.content:
            item.content = _text(child)
        elif EXCERPT_NAMESPACE.match(namespace) and local == "encoded" and not item.excerpt:
            item.excerpt = _text(child)
        elif _wp(child) == "comment":
            comment_position += 1
            item.comments.append(_comment(child, comment_position))
    item.terms = item.terms or bare
    item.meta = read_meta(element)
    item.wp_id = item.wp_id or item.guid
    return item


Record = Author | Term | Item


def read_export(path, channel: Channel) -> Iterator[Record]:
    """The file's authors, terms and items in file order; `channel` is filled in as its fields go by.

    Raises WXRError for a file that is not well-formed, declares entities, or is not an RSS export at all.
    """
    try:
        yield from _records(path, channel)
    except ParseError as error:
        line, column = error.position
        raise WXRError(f"The file is not well-formed XML: {ErrorString(error.code)}", line=line, column=column + 1) from None
    except LookupError as error:  # expat asks Python for the codec of the declared encoding
        raise WXRError(f"The file declares an encoding that cannot be read ({error}).") from None
    except defusedxml.DTDForbidden:
        raise WXRError("The file has a document type declaration, which an export never has.") from None
    except defusedxml.EntitiesForbidden as error:
        raise WXRError(f"The file declares an entity ({error.name!r}); entities are never expanded.") from None
    except defusedxml.ExternalReferenceForbidden:
        raise WXRError("The file refers to an external entity; nothing outside the file is read.") from None


def _records(path, channel: Channel) -> Iterator[Record]:
    depth = 0
    parents: list = []
    for event, element in iterparse(str(path), events=("start", "end")):
        if event == "start":
            depth += 1
            if depth == 1 and _split(element.tag) != ("", "rss"):
                raise WXRError("This is not a WordPress export: the document does not start with <rss>.")
            parents.append(element)
            continue
        depth -= 1
        parents.pop()
        if depth != 2 or _split(parents[-1].tag) != ("", "channel"):
            continue
        namespace, local = _split(element.tag)
        wp = _wp(element)
        record = None
        if namespace == "" and local in ("title", "link") and not getattr(channel, local):
            setattr(channel, local, _text(element).strip())
        elif wp in ("base_site_url", "base_blog_url", "wxr_version"):
            setattr(channel, wp, _text(element).strip())
        elif wp == "author":
            record = _author(element)
        elif wp in ("category", "tag", "term"):
            record = _term(element, wp)
        elif namespace == "" and local == "item":
            record = _item(element)
        # What was read is dropped, so that memory does not grow with the file.
        parents[-1].remove(element)
        if record is not None:
            yield record
    _check_version(channel)


def _check_version(channel: Channel) -> None:
    version = channel.wxr_version
    if not version:
        channel.warnings.append("The file has no <wp:wxr_version>; it was read as WXR 1.2.")
    elif version not in KNOWN_VERSIONS:
        channel.warnings.append(f"The file says WXR version {version[:20]!r}, which is unknown; read as WXR 1.2.")
