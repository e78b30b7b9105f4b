"""Audit log, domain errors, API plumbing, notifications, domain events, encrypted fields."""
