"""Writing the docs folder and the site folder: atomically, only what we made."""
