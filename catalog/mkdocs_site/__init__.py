"""The MkDocs adapter: the plugin, the built-in configuration and live preview."""
