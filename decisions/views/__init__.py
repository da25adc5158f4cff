"""Browser views of PRDs, decision records, sign-offs and review flags (docs/ui.md)."""
