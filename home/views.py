from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.ui.decorators import product_view
from core.ui.http import ProductRequest, render_page

from .selectors import home_overview, product_overview


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home/home.html", home_overview(user=request.user))


@product_view()
@require_safe
def product_home(request: ProductRequest) -> HttpResponse:
    """Roadmap at a glance, the current sprint, my waiting sign-offs, recent activity.

    An htmx request for a section (`?section=activity`, …) gets that section only.
    """
    context = product_overview(user=request.user, product=request.product)
    section = request.GET.get("section")
    partial = section if section in {"lanes", "sprint", "signoffs", "activity"} else "overview"
    return render_page(request, "home/product_home.html", context, partial=partial)
