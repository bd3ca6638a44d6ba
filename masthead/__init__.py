"""masthead: a self-hostable publishing platform for independent news and analysis outlets."""
