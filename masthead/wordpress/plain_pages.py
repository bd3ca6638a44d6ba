"""WordPress pages become plain pages: under the home page, or under the plain page their WordPress parent
became, keeping status, dates and slugs. Comments on pages are not imported (plain pages have no discussion);
the report counts them."""

from masthead.articles.models import PlainPage
from masthead.wordpress.models import ImportedKind
from masthead.wordpress.wp_values import make_slug, parents_first


def import_pages(importer, items) -> None:
    """Make the pages not imported before, parents before their children (the export's order is any)."""
    for done, item in enumerate(parents_first(items), start=1):
        importer.progress("Pages", done, len(items))
        key = (ImportedKind.PAGE, item.wp_id)
        if key in importer.known:
            page = PlainPage.objects.filter(pk=importer.known[key]).first()
            if page is not None:
                if not importer.refresh(page, item, ImportedKind.PAGE):
                    importer.report.skipped["page already imported"] += 1
            else:
                importer.report.skipped["page whose plain page was deleted here"] += 1
            continue
        parent_id = importer.known.get((ImportedKind.PAGE, item.parent)) if item.parent not in ("", "0") else None
        parent = PlainPage.objects.filter(pk=parent_id).first() if parent_id else None
        if parent is None and parent_id is None and item.parent not in ("", "0"):
            importer.report.warnings.append(
                f"page {item.wp_id}: its parent page {item.parent} was not imported; put under the home page.")
        parent = parent or importer.home
        label = f"page {item.wp_id} ({item.title[:60]!r})"
        body, status, shortcodes = importer.body(item, label)
        if shortcodes:
            importer.report.warnings.append(f"{label}: inline feedback kept as plain text (pages have no discussion).")
        page = PlainPage(
            title=(item.title.strip() or f"Untitled page {item.wp_id}")[:255],
            slug=importer.free_slug(parent, make_slug(item.slug, item.title, f"page-{item.wp_id}")),
            body=body,
            live=False,
        )
        importer.add_page(parent, page, item, status, ImportedKind.PAGE)
        comments = [c for c in item.comments if c.type not in ("pingback", "trackback")]
        if comments:
            importer.report.skipped["comment on a page (plain pages have no discussion)"] += len(comments)

