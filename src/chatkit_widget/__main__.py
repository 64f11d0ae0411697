"""``python -m chatkit_widget ...``: the ``chatkit-widget`` command (e.g. run from a kernel)."""

from __future__ import annotations

import sys

from ._cli import main

sys.exit(main())
