"""Models of the appeals app (being written)."""
