"""`pitchlive devices`: list audio inputs with index, name, channels and default rate."""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    """Add the devices command."""
    parser = subparsers.add_parser("devices", help="list audio input devices",
                                   description="List the audio input devices pitchlive can use.")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the input device table."""
    from pitchlive.audio.devices import format_device_table, list_input_devices

    print(format_device_table(list_input_devices()))
    return 0
