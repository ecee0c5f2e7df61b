"""`python -m pitchlive` runs the same CLI as the `pitchlive` command."""

from pitchlive.cli import entry

entry()
