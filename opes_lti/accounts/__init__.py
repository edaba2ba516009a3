"""People who sign in to the tool's own pages: administrators and coordinators."""
