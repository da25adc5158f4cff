"""The browser door's shared helpers: product-scoped views, htmx rendering, forms, navigation.

Conventions and examples: docs/ui.md.
"""
