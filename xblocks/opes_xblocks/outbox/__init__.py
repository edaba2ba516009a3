"""The blocks' outbox: outcome events kept in the LMS database until delivered.

They are sent by the same Dispatcher the tool service uses.
"""
