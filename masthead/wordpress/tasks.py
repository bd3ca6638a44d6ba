"""The import of an export uploaded in the admin, as a task: the same check and import as the command, its
progress written phase by phase for the status page (uploads.py)."""

from django_tasks import task

from masthead.wordpress import wxr
from masthead.wordpress.actions import check_import_wordpress, do_import_wordpress
from masthead.wordpress.uploads import Upload


@task()
def import_uploaded_export(token: str, categories_as: str = "sections", dry_run: bool = False) -> dict:
    upload = Upload(token)
    phases: dict = {}
    try:
        checked = check_import_wordpress(path=upload.export_path, categories_as=categories_as)
        upload.write(state="running", items=checked.items, source=checked.channel.source)
        report = do_import_wordpress(
            checked=checked, categories_as=categories_as, dry_run=dry_run,
            on_progress=lambda phase, done, total: upload.phase(phases, phase, done, total))
    except wxr.WXRError as error:
        upload.write(state="failed", message=f"Refused, nothing was imported. {error}")
        return {}
    except Exception:
        upload.write(state="failed", message="The import failed and nothing was imported; the error is in the "
                                             "task worker's log.")
        raise
    finally:
        upload.forget_export()
    upload.write(state="done", phases=phases, report=report.as_dict())
    return report.as_dict()
