"""Data files shipped with govreport_nlp: the domain dictionary and stopwords."""
