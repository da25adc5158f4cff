from typing import Any


class ApplicationError(Exception):
    """A business rule refused an action; the message tells the user what to fix.

    `extra` carries machine-readable detail (for example the field at fault) for
    the API and forms.
    """

    def __init__(self, message: str, *, field: str | None = None, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}

    def as_validation_error(self):  # noqa: ANN201 - avoids importing forms here
        from django.core.exceptions import ValidationError

        if self.field:
            return ValidationError({self.field: [self.message]})
        return ValidationError(self.message)
