"""Group work's pure core: forming groups from a roster, and WebPA's peer-adjusted grades."""
