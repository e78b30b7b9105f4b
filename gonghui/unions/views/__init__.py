"""Pages of the unions app: the console (staff.py: the tree and the employer archive), the public
join page on the H5 (worker.py), the Excel import (imports.py) and the exports (exports.py).
The urlpatterns are in ../urls.py."""
