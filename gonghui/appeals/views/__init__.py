"""Pages of the appeals app: the worker's H5 (worker.py), the staff console (staff.py) and the
statistics (stats.py). Thin adapters: parse (forms) → gate (access.py) → service → render."""
