"""members pages, one module per sub-domain; each module defines its own ``urlpatterns``."""
