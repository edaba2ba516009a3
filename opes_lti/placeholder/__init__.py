"""A placeholder activity proving each launch path until the real activities arrive."""
