"""Members, tiers, paid subscriptions, sign-in links and the gate (access.py)."""
