"""speaking-pipeline: recorded English speech in, recurring-pattern feedback out."""
