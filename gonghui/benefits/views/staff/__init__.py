"""The staff console pages of the benefits app, one module per sub-domain."""
