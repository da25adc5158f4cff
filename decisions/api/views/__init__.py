"""The decisions endpoints: thin viewsets over decisions.services."""
