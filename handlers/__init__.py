"""One module per FC function; s.yaml names their ``handler`` and ``initializer``."""
