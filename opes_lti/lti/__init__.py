"""LTI 1.3 plumbing: registrations, keys, launches. Activities import this; it imports none."""
