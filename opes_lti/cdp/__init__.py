"""The communities of practice (comunità di pratica, CdP) as an LTI activity.

A course places it like any other activity; every course and platform that does reaches
the same communities (``opes_lti.communities`` keeps them and their members).
"""
