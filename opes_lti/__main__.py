"""``python -m opes_lti`` is the ``opes-lti`` command."""

from opes_lti.cli import main

main()
