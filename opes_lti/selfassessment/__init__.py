"""The competency self-assessment served as an LTI activity."""
