"""Learner profiles: the role, organisation and region every activity reports by."""
