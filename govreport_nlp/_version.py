"""Single source of the package version (read by setup.cfg and saved models)."""

__version__ = "0.1.0"
