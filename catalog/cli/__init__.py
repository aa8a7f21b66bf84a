"""The Click commands: thin adapters over the pipeline."""
