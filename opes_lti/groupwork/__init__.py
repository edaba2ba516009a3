"""Group exercises: the tool is their system of record."""
