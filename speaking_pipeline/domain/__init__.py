"""Domain rules in plain Python: taxonomy, analysis schema, profile maths, verbatim checks."""
