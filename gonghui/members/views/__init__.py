"""members pages by audience: worker/ (the H5, /members/…) and staff/ (the console, /console/members/…),
one module per sub-domain, and shared.py for what both use. Every path is in members/urls.py."""
