"""Speech-to-text providers behind one small interface."""
