"""Passage anchors for inline feedback; anchoring.py holds the pure functions (text in, position out)."""
