"""Pages of the activities app: the worker H5 (worker.py) and the staff console (staff.py)."""
