"""Pages of the unions app: the console (staff.py: the tree and the employer archive, the public join
page), the Excel import (imports.py) and exports (exports.py). The urlpatterns are in ../urls.py."""
