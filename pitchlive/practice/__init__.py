"""Singing practice without Qt: targets (files and exercises), scoring against a pitch track,
live feedback and the practice history. The practice view in ui/ builds on these modules."""
