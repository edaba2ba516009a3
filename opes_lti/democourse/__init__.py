"""The demo course: a real LTI 1.3 platform (lti1p3platform) to try every activity.

Served by the embedded default on a loopback address only, or where an administrator sets
``OPES_DEMO_COURSE=on``; never otherwise (see :func:`enabled`).
"""
