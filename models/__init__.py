"""Trained models shipped with govreport_nlp (installed as ``govreport_nlp.models``)."""
