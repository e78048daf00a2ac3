"""sitectl: the tooling of this Kayobe site-configuration repository."""

__version__ = "0.1.0"
