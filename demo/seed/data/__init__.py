"""The demo's content, one module per subject: pure data, no logic."""
