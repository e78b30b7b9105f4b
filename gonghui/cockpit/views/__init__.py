"""Console pages of the cockpit (staff.py). The urlpatterns are in ../urls.py."""
