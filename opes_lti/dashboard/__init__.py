"""The coordinators' dashboard: rollups kept current as events arrive, and pages over them."""
