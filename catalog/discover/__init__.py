"""Stage 1: find agent definition files (walk, tool folders, plugin manifests)."""
