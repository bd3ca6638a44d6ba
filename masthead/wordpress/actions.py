"""The WordPress import's writes: `check_import_wordpress` reads the whole file first (a malformed or hostile file
is refused before anything is written), then `do_import_wordpress` imports it in one transaction.

A dry run does the whole import in that transaction and rolls it back: its report is what a real run would do.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from masthead.wordpress import media, wxr
from masthead.wordpress.importer import Importer, Report
from masthead.wordpress.models import ImportRun

CATEGORIES_AS = ("sections", "topics")


@dataclass
class CheckedExport:
    path: Path
    channel: wxr.Channel
    items: int
    records: int
    attachments: dict[str, str]  # WordPress attachment id -> its address, for galleries and lead images
    media: Path | None = None


def check_import_wordpress(*, path, categories_as: str = "sections", media=None) -> CheckedExport:
    """Read the file through once, writing nothing; raises WXRError with what is wrong and where."""
    path = Path(path)
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
                         media=Path(media) if media is not None else None)


class _DryRunDone(Exception):
    pass


def do_import_wordpress(
    *,
    checked: CheckedExport,
    categories_as: str = "sections",
    dry_run: bool = False,
    on_record: Callable[[object], None] | None = None,
) -> Report:
    """Import a checked export, all or nothing; with dry_run, do it and roll it all back."""
    report = Report(file=checked.path.name, dry_run=dry_run, wxr_version=checked.channel.wxr_version)
    importer = None
    try:
        with transaction.atomic():
            channel = wxr.Channel()
            run = ImportRun.objects.create(source="", file_name=checked.path.name)
            importer = Importer(channel=channel, categories_as=categories_as, run=run, report=report,
                                media=checked.media, attachments=checked.attachments)
            for record in wxr.read_export(checked.path, channel):
                importer.handle(record)
                if on_record is not None:
                    on_record(record)
            importer.finish()
            run.source, run.finished_at, run.report = channel.source, timezone.now(), report.as_dict()
            run.save(update_fields=["source", "finished_at", "report"])
            if dry_run:
                raise _DryRunDone
    except _DryRunDone:
        pass
    except BaseException:
        if importer is not None:  # the rows are rolled back; the files they named must go too
            media.delete_files(importer.files_written)
        raise
    return report
