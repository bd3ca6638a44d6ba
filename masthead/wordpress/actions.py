"""The WordPress import's writes: `check_import_wordpress` reads the whole file first (a malformed or hostile file
is refused before anything is written), then `do_import_wordpress` imports it in one transaction.

A dry run does the whole import in that transaction and rolls it back: its report is what a real run would do.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from masthead.annotations.models import FeedbackPoint
from masthead.articles.models import Author, HomePage, SectionPage, Topic
from masthead.core.signals import announce_changes
from masthead.discussion.actions.imports import do_settle_imported_thread
from masthead.discussion.models import Comment, Thread
from masthead.search.tasks import index_missing_comments

from masthead.wordpress import media, wxr
from masthead.wordpress.importer import Importer, Report
from masthead.wordpress.models import ImportedKind, ImportRun

CATEGORIES_AS = ("sections", "topics")
PHASES = ("Posts and comments", "Pages", "Links between posts", "Old addresses")


@dataclass
class CheckedExport:
    path: Path
    channel: wxr.Channel
    items: int
    records: int
    attachments: dict[str, str]  # WordPress attachment id -> its address, for galleries and lead images
    media: Path | None = None
    home: HomePage | None = None  # the home page of the site chosen with --site


def site_home(site: str | None) -> HomePage | None:
    """The home page of the site named (its host name, or its name in Settings → Sites); with one site, its
    home page whatever is named; WXRError when several sites make it ambiguous or the name matches none."""
    sites = list(Site.objects.select_related("root_page").order_by("pk"))
    if site:
        sites = [s for s in sites if site in (s.hostname, s.site_name, f"{s.hostname}:{s.port}", str(s.pk))]
        if not sites:
            raise wxr.WXRError(f"--site {site}: no site has that host name or name.")
    elif len(sites) > 1:
        names = ", ".join(s.hostname for s in sites)
        raise wxr.WXRError(f"There are several sites ({names}): say which to import into with --site.")
    home = sites[0].root_page.specific if sites else None
    if sites and not isinstance(home, HomePage):
        raise wxr.WXRError(f"The site {sites[0].hostname}'s root is not a home page; choose another with --site.")
    return home


def check_import_wordpress(*, path, categories_as: str = "sections", media=None, site: str | None = None) -> CheckedExport:
    """Read the file through once, writing nothing; raises WXRError with what is wrong and where."""
    path = Path(path)
    home = site_home(site)
    if media is not None and not Path(media).is_dir():
        raise wxr.WXRError(f"--media {media}: there is no such folder (give a copy of wp-content/uploads).")
    if categories_as not in CATEGORIES_AS:
        raise wxr.WXRError(f"--categories-as is 'sections' or 'topics', not {categories_as!r}.")
    if not path.is_file():
        raise wxr.WXRError(f"There is no file at {path}.")
    channel = wxr.Channel()
    items = records = 0
    attachments = {}
    for record in wxr.read_export(path, channel):
        records += 1
        items += isinstance(record, wxr.Item)
        if isinstance(record, wxr.Item) and record.post_type == "attachment" and record.attachment_url:
            attachments[record.wp_id] = record.attachment_url
    return CheckedExport(path=path, channel=channel, items=items, records=records, attachments=attachments,
                         media=Path(media) if media is not None else None, home=home)


def check_undo_import_run(*, run_id) -> ImportRun:
    """The run to undo, or WXRError saying why not."""
    try:
        run = ImportRun.objects.get(pk=int(run_id))
    except (TypeError, ValueError, ImportRun.DoesNotExist):
        raise wxr.WXRError(f"There is no import run {run_id!r} (see --list-runs).") from None
    if run.undone_at is not None:
        raise wxr.WXRError(f"Run {run.pk} was undone already, at {run.undone_at:%Y-%m-%d %H:%M}.")
    return run


def do_undo_import_run(*, run: ImportRun) -> Counter:
    """Remove everything one run made, in one transaction: its comments, feedback points, articles and pages
    (with what hangs on them), images and redirects; its authors, sections and topics when nothing else uses
    them any more (kept, and counted, otherwise). What later runs added to its pages goes with them."""
    removed = Counter()
    with transaction.atomic():
        objects = run.imported_objects.all()
        ids = {kind: [o.object_id for o in objects if o.kind == kind] for kind in ImportedKind.values}
        FeedbackPoint.objects.filter(pk__in=ids[ImportedKind.FEEDBACK]).delete()
        threads = set(Comment.objects.filter(pk__in=ids[ImportedKind.COMMENT]).values_list("thread_id", flat=True))
        removed["comments"] = Comment.objects.filter(pk__in=ids[ImportedKind.COMMENT]).delete()[1].get(
            Comment._meta.label, 0)
        pages = Page.objects.filter(pk__in=ids[ImportedKind.ARTICLE] + ids[ImportedKind.PAGE]).order_by("-depth")
        for page in pages:  # deepest first: a plain page's children may be from another run
            if Page.objects.filter(pk=page.pk).exists():
                page.delete()
                removed["pages and articles"] += 1
        for thread in Thread.objects.filter(pk__in=threads):
            do_settle_imported_thread(thread=thread, added=0, close=False)
        for image in get_image_model().objects.filter(pk__in=ids[ImportedKind.IMAGE]):
            image.file.delete(save=False)
            image.delete()
            removed["images"] += 1
        removed["redirects"] = Redirect.objects.filter(pk__in=ids[ImportedKind.REDIRECT]).delete()[0]
        for kind, model, in_use in ((ImportedKind.SECTION, SectionPage, lambda s: s.get_children().exists()),
                                    (ImportedKind.TOPIC, Topic, lambda t: t.articles.exists()),
                                    (ImportedKind.AUTHOR, Author, lambda a: a.article_credits.exists())):
            for obj in model.objects.filter(pk__in=ids[kind]):
                if in_use(obj):
                    removed[f"{kind}s kept (still used)"] += 1
                else:
                    obj.delete()
                    removed[f"{kind}s"] += 1
        objects.delete()
        run.undone_at = timezone.now()
        run.save(update_fields=["undone_at"])
    return removed


class _DryRunDone(Exception):
    pass


def do_import_wordpress(
    *,
    checked: CheckedExport,
    categories_as: str = "sections",
    dry_run: bool = False,
    update: bool = False,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> Report:
    """Import a checked export, all or nothing; with dry_run, do it and roll it all back. `on_progress(phase,
    done, total)` is told how each phase goes (PHASES, in order)."""
    report = Report(file=checked.path.name, dry_run=dry_run, wxr_version=checked.channel.wxr_version)
    importer = None
    try:
        with transaction.atomic():
            channel = wxr.Channel()
            run = ImportRun.objects.create(source="", file_name=checked.path.name)
            importer = Importer(channel=channel, categories_as=categories_as, run=run, report=report,
                                media=checked.media, attachments=checked.attachments, update=update,
                                home=checked.home, progress=on_progress)
            items = 0
            for record in wxr.read_export(checked.path, channel):
                importer.handle(record)
                if isinstance(record, wxr.Item):
                    items += 1
                    importer.progress(PHASES[0], items, checked.items)
            importer.finish()
            run.source, run.finished_at, run.report = channel.source, timezone.now(), report.as_dict()
            run.save(update_fields=["source", "finished_at", "report"])
            # Comments are stored in bulk (no save signals): indexed by one task, and the change announced once.
            if importer.comments_added:
                transaction.on_commit(index_missing_comments.enqueue)
            if report.created or report.updated:
                transaction.on_commit(lambda: announce_changes(content=True))
            if dry_run:
                raise _DryRunDone
    except _DryRunDone:
        pass
    except BaseException:
        if importer is not None:  # the rows are rolled back; the files they named must go too
            media.delete_files(importer.files_written)
        raise
    return report
