"""Browser views of the backlog (docs/ui.md), one module per area."""
