"""Create the first admin account with a generated password, printed once."""

from django.core.management.base import BaseCommand

from masthead.accounts.actions import do_ensure_first_admin


class Command(BaseCommand):
    help = "Create a superuser with a generated password if the site has none, and print the password once."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, email, **options):
        created = do_ensure_first_admin(username=username, email=email)
        if created is None:
            self.stdout.write("An admin account already exists; its password is unchanged.")
            return
        user, password = created
        self.stdout.write(
            self.style.SUCCESS("Admin account created. Save this password now; it is not shown again.")
        )
        self.stdout.write(f"  user name: {user.username}\n  password:  {password}")
