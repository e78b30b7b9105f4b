"""Models of the market app (being written)."""
