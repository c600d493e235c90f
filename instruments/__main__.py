"""Entry point of `python -m instruments`."""

import sys

from .cli import main

sys.exit(main())
