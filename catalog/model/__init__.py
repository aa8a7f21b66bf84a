"""Stage 3: map each dialect's document onto the one Agent model."""
