"""benefits pages: the worker's and the partner's H5 pages, and the staff console. Thin adapters:
parse (forms.py) → gate (access.py) → service (services/) → render."""
