"""The OpenAPI schema's error responses, documented once for every operation.

drf-spectacular documents only the success responses a view declares, but
DRF answers every operation with the same few errors: 400 for invalid input
(field name -> messages), 401 without credentials, 403 when the role does
not allow it, 404 for a row outside the caller's scope or a page past the
end, and 429 with Retry-After past the throttle rates. Views that describe
an error more precisely keep their own wording.

Times of day are wall-clock times without an offset ("10:00", "10:00:00"),
so they are described by a pattern rather than the RFC 3339 "time" format,
which requires one."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import permissions, serializers

DETAIL = inline_serializer("ErrorDetail", fields={"detail": serializers.CharField()})
WRITES = ("POST", "PUT", "PATCH")
TIME_OF_DAY = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"
THROTTLED = OpenApiResponse(
    DETAIL, description="Too many requests in a short time (REST_FRAMEWORK throttle rates)."
)
FIELD_ERRORS = OpenApiResponse(
    response={
        "type": "object",
        "description": "Messages by field name (non_field_errors for the whole request).",
        "additionalProperties": {},
    },
    description="Invalid input: nothing was changed.",
)


class ConcordAutoSchema(AutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        for code, response in self._error_responses(operation).items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code)
        if self.view.throttle_classes:
            responses["429"] = self._get_response_for_code(THROTTLED, "429")
            responses["429"]["headers"] = {
                "Retry-After": {
                    "description": "Seconds to wait before the next request.",
                    "schema": {"type": "integer"},
                }
            }
        return operation

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.TimeField) and schema.get("format") == "time":
            del schema["format"]
            schema["pattern"] = TIME_OF_DAY
        return schema

    def _error_responses(self, operation) -> dict[str, OpenApiResponse]:
        parameters = operation.get("parameters", [])
        where = {parameter["in"] for parameter in parameters}
        errors = {}
        if "query" in where or "requestBody" in operation or self.method in WRITES:
            errors["400"] = FIELD_ERRORS  # services refuse writes even without a body
        if not self._allows_anyone():
            errors["401"] = OpenApiResponse(DETAIL, description="No valid credentials.")
            errors["403"] = OpenApiResponse(DETAIL, description="Your role does not allow this.")
        # DRF answers 404 for an unknown ?format= as for an unknown row or page.
        format_choice = any(parameter["name"] == "format" for parameter in parameters)
        if "path" in where or self._is_paginated_list() or format_choice:
            errors["404"] = OpenApiResponse(
                DETAIL, description="Not found, or not visible to you (or no such page)."
            )
        return errors

    def _allows_anyone(self) -> bool:
        return all(
            isinstance(permission, permissions.AllowAny)
            for permission in self.view.get_permissions()
        )

    def _is_paginated_list(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None
