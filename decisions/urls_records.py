"""Browser pages of decision records, sign-offs (on PRDs and records) and review flags; see docs/ui.md."""

from django.urls import URLPattern, path

from .views import flags, records, signoffs

D = "p/<int:product_id>/decisions/<int:decision_id>/"

urlpatterns: list[URLPattern] = [
    path("p/<int:product_id>/decisions/", records.decision_list, name="decision_list"),
    path("p/<int:product_id>/decisions/new/", records.decision_create, name="decision_create"),
    path(D, records.decision_detail, name="decision_detail"),
    path(f"{D}options/", records.decision_option_add, name="decision_option_add"),
    path(f"{D}options/<int:option_id>/", records.decision_option, name="decision_option"),
    path(f"{D}options/<int:option_id>/remove/", records.decision_option_remove, name="decision_option_remove"),
    path(f"{D}choose/", records.decision_choose, name="decision_choose"),
    path(f"{D}links/", records.decision_links, name="decision_links"),
    path(f"{D}supersede/", records.decision_supersede, name="decision_supersede"),
    path(f"{D}amend/", records.decision_amend, name="decision_amend"),
    path(f"{D}delete/", records.decision_delete, name="decision_delete"),
    # The sign-off panel, one implementation for both kinds of document.
    path(f"{D}signoffs/", signoffs.decision_signoffs, name="decision_signoffs"),
    path("p/<int:product_id>/prds/<int:prd_id>/signoffs/", signoffs.prd_signoffs, name="prd_signoffs"),
    path("p/<int:product_id>/signoffs/<int:signoff_id>/approve/", signoffs.signoff_approve, name="signoff_approve"),
    path("p/<int:product_id>/signoffs/<int:signoff_id>/reject/", signoffs.signoff_reject, name="signoff_reject"),
    path("p/<int:product_id>/signoffs/<int:signoff_id>/withdraw/", signoffs.signoff_withdraw, name="signoff_withdraw"),
    path("p/<int:product_id>/flags/<int:flag_id>/clear/", flags.flag_clear, name="flag_clear"),
]
