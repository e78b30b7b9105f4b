"""问卷: questionnaires, need surveys (see models.py)."""
