"""Periodic tasks: a scheduler that enqueues them on any task backend, claimed in the database."""
