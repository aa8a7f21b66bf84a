"""The cache layer: it calls the stages for what changed since the last run."""
