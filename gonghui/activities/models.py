"""Models of the activities app (being written)."""
