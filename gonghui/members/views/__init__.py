"""members pages, one module per sub-domain; their paths are in members/urls.py."""
