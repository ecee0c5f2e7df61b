"""`python -m pitchlive` runs the same CLI as the `pitchlive` command."""

import sys

from pitchlive.cli import main

sys.exit(main())
