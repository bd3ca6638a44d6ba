"""Old links keep working: every address the WordPress site answered becomes a Wagtail redirect (301) to what it
became, stored in Wagtail's own table (editors see and change them under Settings → Redirects).

Paths (`/2023/04/harbour-dues/`, `/category/ports/`, `/wp-content/uploads/…`) are answered by Wagtail's
redirect middleware, which looks when nothing else answers. The query-string forms (`/?p=12`, `/?page_id=3`,
`/?cat=4`) are addresses of the home page, which does answer: `wagtail_hooks.py` looks them up before it is
served. A redirect to a page follows the page (Wagtail deletes it with the page); the others (topics, authors,
feeds, image files) are remembered per run so that `--undo` removes them.
"""

from urllib.parse import urlsplit

from django.urls import reverse
from wagtail.contrib.redirects.models import Redirect

from masthead.wordpress import links

# The query strings WordPress answers on its home page, whatever its permalink settings.
QUERY_KEYS = frozenset({"p", "page_id", "cat", "tag", "author", "attachment_id", "feed", "m"})


class Redirects:
    """The redirects one run adds: never over an address that already redirects (an editor's own wins)."""

    def __init__(self, *, site, source: str):
        self.site, self.host = site, links.host_of(source)
        self.taken = set(Redirect.get_for_site(site).values_list("old_path", flat=True))
        self.new: list[Redirect] = []

    def old_path(self, address: str) -> str | None:
        """The address's path and query on the old site, normalised as Wagtail stores it; None when the address
        is on another site or is the home page itself."""
        parts = urlsplit(address)
        if parts.netloc and links.host_of(address) != self.host:
            return None
        path = Redirect.normalise_path(address)
        return None if path in ("", "/") or len(path) > 255 else path

    def add(self, address: str, *, page_id: int | None = None, link: str = "") -> None:
        address = (address or "").strip()
        path = self.old_path(address) if address else None
        if path is None or path in self.taken:
            return
        self.taken.add(path)
        self.new.append(Redirect(old_path=path, site=self.site, redirect_page_id=page_id, redirect_link=link,
                                 is_permanent=True))

    def post(self, item, page_id: int) -> None:
        """A post's or page's addresses: its permalink, `?p=`/`?page_id=`, its GUID, and the usual pretty forms."""
        key = "page_id" if item.post_type == "page" else "p"
        for address in (item.link, item.guid, f"/?{key}={item.wp_id}", f"/?p={item.wp_id}"):
            self.add(address, page_id=page_id)
        slug = item.slug.strip("/")
        date = (item.date or "")[:10]
        if slug and item.post_type == "post" and len(date) == 10 and not date.startswith("0000"):
            year, month, day = date.split("-")
            self.add(f"/{year}/{month}/{slug}/", page_id=page_id)
            self.add(f"/{year}/{month}/{day}/{slug}/", page_id=page_id)
        if slug:
            self.add(f"/{slug}/", page_id=page_id)

    def term(self, taxonomy: str, path_slugs: list[str], wp_id: str, *, page_id: int | None = None, link: str = "",
             feed: str = "") -> None:
        """A category (`/category/parent/child/`, `?cat=ID`) or tag (`/tag/slug/`, `?tag=slug`), and its feed."""
        base = "category" if taxonomy == "category" else "tag" if taxonomy == "post_tag" else taxonomy
        for slugs in (path_slugs, path_slugs[-1:]):
            self.add(f"/{base}/{'/'.join(slugs)}/", page_id=page_id, link=link)
            if feed:
                self.add(f"/{base}/{'/'.join(slugs)}/feed/", link=feed)
        if taxonomy == "category" and wp_id:
            self.add(f"/?cat={wp_id}", link=link, page_id=page_id)
        elif taxonomy == "post_tag":
            self.add(f"/?tag={path_slugs[-1]}", link=link, page_id=page_id)

    def author(self, login: str, wp_id: str, author) -> None:
        url = author.get_absolute_url()
        self.add(f"/author/{login}/", link=url)
        self.add(f"/author/{login}/feed/", link=reverse("syndication:author_rss", kwargs={"slug": author.slug}))
        if wp_id:
            self.add(f"/?author={wp_id}", link=url)

    def feeds(self) -> None:
        rss, atom = reverse("syndication:rss"), reverse("syndication:atom")
        for address in ("/feed/", "/feed/rss/", "/feed/rss2/", "/?feed=rss2", "/?feed=rss", "/comments/feed/"):
            self.add(address, link=rss)
        for address in ("/feed/atom/", "/?feed=atom"):
            self.add(address, link=atom)

    def file(self, address: str, url: str) -> None:
        """An uploaded file's old address (`/wp-content/uploads/…`) to its new one."""
        self.add(address, link=url)

    def save(self) -> list[Redirect]:
        """Write the run's redirects."""
        made = Redirect.objects.bulk_create(self.new, batch_size=500)
        self.new = []
        return made
