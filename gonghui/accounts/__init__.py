"""Users, login and lockout, API tokens, staff assignments (the grants behind the scope mechanism)."""
