from django.db import models


class TimeStampedModel(models.Model):
    """Base for every domain row: when it was made and last changed."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True
