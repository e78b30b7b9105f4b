"""Pages of the accounts app: signing in and out, registering (auth.py), 我的 on the H5 (worker.py) and
staff management in the console (staff.py). The urlpatterns are in ../urls.py (sign-in and
registration are mounted by web/urls.py)."""
