"""Reads for the backlog pages, one module per area; each runs a bounded number of queries."""
