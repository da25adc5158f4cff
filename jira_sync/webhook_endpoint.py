"""The door Jira's webhooks knock on: POST /jira/webhooks/<connection key>/ (see webhook_urls.py).

Plain Django, no session or CSRF (Jira signs instead): verify and store, answer 202 at once,
process in a task. 401 when the signature is bad or missing, and then nothing is stored.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .services.webhooks import webhook_receive

# Jira's deliveries are small; a huge body is not one of them.
MAX_BODY = 1_000_000


@csrf_exempt
@require_POST
def jira_webhook(request: HttpRequest, connection_key: object) -> HttpResponse:
    if int(request.headers.get("Content-Length") or 0) > MAX_BODY:
        return HttpResponse(status=413)
    received = webhook_receive(connection_key=str(connection_key), body=request.body, headers=request.headers)
    return HttpResponse(status=received.status)
