"""``python -m onestop``.

``-m`` puts the working folder first on the import path. A data folder there
whose subfolders share a package's name (``documents/``, ``archive/``) would
then shadow the installed package as an empty namespace (its templates not
found), so the working folder is dropped unless it is the source checkout.
"""

import sys
from pathlib import Path


def _without_the_working_folder() -> None:
    here = Path.cwd().resolve()
    first = Path(sys.path[0] or ".").resolve() if sys.path else None
    if first == here and not (here / "onestop" / "__init__.py").is_file():
        del sys.path[0]


_without_the_working_folder()

from onestop.cli import main  # noqa: E402  (after the import path is settled)

sys.exit(main())
