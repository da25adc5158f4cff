"""Template tags of the backlog pages."""
