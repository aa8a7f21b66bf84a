"""Stage 4: findings about each agent and the catalog, from the rule table."""
