"""Reader search over Wagtail's search backend, with results and snippets cut to what the reader may read."""
