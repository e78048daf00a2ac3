"""Offline checks of rendered service config files against the options the services register
with oslo.config, at the pinned release (`sitectl validate --rendered`)."""
