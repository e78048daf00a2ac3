"""`python -m sitectl`."""

import sys

from sitectl.cli import main

sys.exit(main())
