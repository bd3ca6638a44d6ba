"""The admin form of a feedback point: the editor types the words the question is about, not offsets."""

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from masthead.annotations.actions import locate_passage_text
from masthead.annotations.anchoring import AnchoringError


class FeedbackPointForm(WagtailAdminModelForm):
    passage_text = forms.CharField(
        label="Passage",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "The words of the published article the question is about (within one paragraph). Easier: choose "
            "“Ask readers about a passage” in the article's menu in the page editor and select the words there."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["passage_text"].initial = self.instance.quote_exact

    def clean(self):
        cleaned = super().clean()
        article, words = cleaned.get("article"), cleaned.get("passage_text")
        if article is None or not words:
            return cleaned
        unchanged = words.strip() == self.instance.quote_exact and article.pk == self.instance.article_id
        if self.instance.pk and unchanged:
            return cleaned  # the passage is unchanged: keep where publishes have followed it to
        if not article.live:
            self.add_error(
                "article", "Choose a published article: the passage is found in its published text."
            )
            return cleaned
        try:
            block_id, selectors = locate_passage_text(article.specific, words)
        except AnchoringError as error:
            self.add_error("passage_text", str(error))
            return cleaned
        self.instance.set_selectors(block_id, selectors, revision=article.live_revision)
        if self.instance.created_by_id is None and getattr(self, "for_user", None) is not None:
            self.instance.created_by = self.for_user
        return cleaned
