"""Per-session processing: audio, transcript, insights and the learner's profile."""
