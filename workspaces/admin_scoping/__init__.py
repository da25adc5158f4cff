"""What every app's admin shares: workspace tenancy, read-only audit rows, key search, service-backed saves.

Tenancy: a superuser sees every row. Any other staff user sees only rows of the
workspaces they are a member of, and may change or delete them only where their
role reaches the admin's `min_write_role`. Each scoped admin names the lookup
from its model to the Workspace (`workspace_path`); the same path narrows the
changelist, the change/delete views, autocomplete results, history pages and
the choices of every foreign key or many-to-many field that points at the model.

Leadership: a member with the leadership role sees every row of that workspace read-only, without
per-model Django permissions (`has_view_permission` / `has_module_permission` grant it) and without
`is_staff` (workspaces/admin_leadership.py lets them into the site); `can_write` never lets them write.
Whoever reads a model by the leadership role alone (not staff, or staff without a Django permission on
it) is shown only the workspaces they lead, not every workspace they belong to.

Writes: where a service owns a write (numbers, ranks, versions, sign-off staleness,
the last admin of a workspace), the admins call it from save_model / save_related /
delete_model / delete_queryset (`adopt`, `formset_save_via`); an ApplicationError or
ValidationError it raises rolls the whole save, delete or action back and is shown as
an error message. History pages are view-only (no revert).

roles     the workspaces a request's user may read and write in the admin (cached per request)
scoped    the scoped admins and inlines: querysets, permissions, lookups, history; read-only rows
saving    saves through the services: `adopt`, `formset_save_via`, refusals in words
display   small display helpers (a product-prefixed label, a short hash, pretty JSON)
forms     a form that refuses links to another product's rows
search    search by an item's key (PAY-12)
"""

from .display import pretty_json, product_prefixed_label, short_hash
from .forms import SameProductLinksForm
from .roles import leads, workspace_ids, workspace_roles
from .saving import adopt, changed_values, formset_save_via, refusal_message
from .scoped import (
    ReadOnlyAdminMixin,
    ReadOnlyTabularInline,
    WorkspaceScopedAdmin,
    WorkspaceScopedHistoryAdmin,
    WorkspaceScopedMixin,
)
from .search import KeySearchMixin

__all__ = [
    "KeySearchMixin",
    "ReadOnlyAdminMixin",
    "ReadOnlyTabularInline",
    "SameProductLinksForm",
    "WorkspaceScopedAdmin",
    "WorkspaceScopedHistoryAdmin",
    "WorkspaceScopedMixin",
    "adopt",
    "changed_values",
    "formset_save_via",
    "leads",
    "pretty_json",
    "product_prefixed_label",
    "refusal_message",
    "short_hash",
    "workspace_ids",
    "workspace_roles",
]
