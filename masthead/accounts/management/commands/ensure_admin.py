"""Create the first admin account with a generated password, printed once; `--reset` gives it a new one."""

from django.core.management.base import BaseCommand, CommandError

from masthead.accounts.actions import do_ensure_first_admin, do_reset_admin_password


class Command(BaseCommand):
    help = (
        "Create a superuser with a generated password if the site has none, and print the password once. "
        "With --reset, give the superuser --username a new generated password instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--reset", action="store_true", help="Replace the admin's password with a new generated one."
        )

    def handle(self, *args, username, email, reset=False, **options):
        if reset:
            reset_to = do_reset_admin_password(username=username)
            if reset_to is None:
                raise CommandError(f"There is no admin account named {username!r}.")
            user, password = reset_to
            self.stdout.write(self.style.SUCCESS("New admin password. Save it now; it is not shown again."))
            self.stdout.write(f"  user name: {user.username}\n  password:  {password}")
            return
        created = do_ensure_first_admin(username=username, email=email)
        if created is None:
            self.stdout.write(
                "An admin account already exists; its password is unchanged "
                "(`manage.py ensure_admin --reset` gives it a new one)."
            )
            return
        user, password = created
        self.stdout.write(
            self.style.SUCCESS("Admin account created. Save this password now; it is not shown again.")
        )
        self.stdout.write(f"  user name: {user.username}\n  password:  {password}")
