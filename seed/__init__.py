"""The seed: the source document, the data taken from it, and its loader (`python -m seed`)."""
