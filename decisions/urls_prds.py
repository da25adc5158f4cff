"""PRD pages (docs/ui.md): the list, the PRD page and its editor, history and diffs, requirements, coverage."""

from django.urls import path

from .views import prd_history, prd_requirements, prds, requirement_detail

PRD = "p/<int:product_id>/prds/<int:prd_id>/"

urlpatterns = [
    path("p/<int:product_id>/prds/", prds.prd_list, name="prd_list"),
    path("p/<int:product_id>/prds/new/", prds.prd_create, name="prd_create"),
    path("p/<int:product_id>/prds/coverage/", prd_requirements.prd_coverage, name="prd_coverage"),
    path(PRD, prds.prd_detail, name="prd_detail"),
    path(f"{PRD}sections/", prds.prd_section_save, name="prd_section_save"),
    path(f"{PRD}sections/add/", prds.prd_section_add, name="prd_section_add"),
    path(f"{PRD}preview/", prds.prd_preview, name="prd_preview"),
    path(f"{PRD}versions/", prd_history.prd_history, name="prd_history"),
    path(f"{PRD}versions/compare/", prd_history.prd_compare, name="prd_compare"),
    path(f"{PRD}versions/<int:version_id>/", prd_history.prd_version_detail, name="prd_version_detail"),
    path(
        f"{PRD}versions/<int:from_version_id>/diff/<int:to_version_id>/",
        prd_history.prd_diff,
        name="prd_diff",
    ),
    path(f"{PRD}requirements/", prd_requirements.prd_requirements, name="prd_requirements"),
    path(f"{PRD}requirements/<int:requirement_id>/", prd_requirements.requirement_edit, name="requirement_edit"),
    path(
        f"{PRD}requirements/<int:requirement_id>/delete/",
        prd_requirements.requirement_delete,
        name="requirement_delete",
    ),
    path(f"{PRD}requirements/<int:requirement_id>/link/", prd_requirements.requirement_link, name="requirement_link"),
    path(
        f"{PRD}requirements/<int:requirement_id>/unlink/",
        prd_requirements.requirement_unlink,
        name="requirement_unlink",
    ),
    # A requirement's own page (its comments); `requirements/<id>/` is its editor in the table.
    path(
        f"{PRD}requirements/<int:requirement_id>/page/",
        requirement_detail.requirement_detail,
        name="requirement_detail",
    ),
]
