"""The sync engine: connections, mappings, pull, reconcile, push, webhooks, merge, dry run, runs."""
