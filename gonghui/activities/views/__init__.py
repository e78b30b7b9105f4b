"""Pages of the activities app: the worker H5 (h5.py) and the staff console (console.py)."""
