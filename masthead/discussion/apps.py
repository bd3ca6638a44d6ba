from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    name = "masthead.discussion"
    label = "discussion"
    verbose_name = "Reader discussion"

    def ready(self):
        from masthead.core.signals import account_leaving, personal_data_requested
        from masthead.discussion.personal_data import discussion_data, forget_member

        account_leaving.connect(forget_member, dispatch_uid="discussion.forget_member")
        personal_data_requested.connect(discussion_data, dispatch_uid="discussion.personal_data")
