"""URLs and small builders the decision-record page tests share."""

from __future__ import annotations

from django.urls import reverse

from decisions.models import DecisionRecord, SignOff, StakeholderRole
from decisions.services import decision_choose_option, signoff_request

HX = {"HTTP_HX_REQUEST": "true"}


def list_url(product) -> str:
    return reverse("decisions:decision_list", args=[product.pk])


def detail_url(record: DecisionRecord) -> str:
    return reverse("decisions:decision_detail", args=[record.product_id, record.pk])


def panel_url(document) -> str:
    name = "decisions:decision_signoffs" if isinstance(document, DecisionRecord) else "decisions:prd_signoffs"
    return reverse(name, args=[document.product_id, document.pk])


def answer_url(signoff: SignOff, verb: str) -> str:
    return reverse(f"decisions:signoff_{verb}", args=[signoff.document.product_id, signoff.pk])


def chosen(record: DecisionRecord, actor, title: str = "Option A") -> DecisionRecord:
    """The record with one of its options chosen (sign-off is only asked on a chosen option)."""
    option = record.options.get(title=title)
    return decision_choose_option(record=record, actor=actor, option=option)


def ask(document, actor, *approvers, role: str = StakeholderRole.ENGINEERING) -> list[SignOff]:
    return [signoff_request(document=document, actor=actor, approver=a, role=role) for a in approvers]
