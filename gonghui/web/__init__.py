"""The two shells (worker H5 and staff console), base templates and vendored static assets."""
