"""The LMS sites whose blocks call the tool's API for shared state, and that API."""
