"""Models of the benefits app (being written)."""
