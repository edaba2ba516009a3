"""The communities of practice (comunità di pratica) and who belongs to them.

Plumbing both activities use: the community activity (its pages, practices, meetings)
and the group exercise, which can form groups by community.
"""
