"""``python -m govreport_nlp`` runs the command line."""

from .cli import run

run()
