"""``python -m newswire.demo`` serves the demo site, like ``newswire demo-site``."""

import sys

from .server import main

sys.exit(main())
