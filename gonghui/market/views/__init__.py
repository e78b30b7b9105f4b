"""Market pages: the worker H5 (``h5``), the provider's own pages (``provider``), the staff console
(``console``) and the transitions' POST endpoints shared by all three (``actions``)."""
