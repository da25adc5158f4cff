"""Checks requests and responses against Atlassian's published OpenAPI spec of Jira Cloud REST v3.

The spec (OpenAPI 3.0.1, 2.4 MB) is loaded and indexed once per process. Its schemas are
JSON Schema draft 4 plus OpenAPI's `nullable`, which is rewritten to `anyOf [null, …]`;
every `$ref` is made absolute so that any sub-schema can be validated on its own against
one `referencing` registry.

Data Center has no vendored spec: `/rest/api/2/...` is checked against the v3 operation of
the same path, whose shapes coincide for what the stand-in serves (v3 types `description`
and comment bodies loosely, so DC's wiki strings pass).
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jsonschema
import referencing
import referencing.jsonschema

# Atlassian's published spec, vendored (spec/README.md says where from).
DEFAULT_SPEC_PATH = Path(__file__).resolve().parent / "spec" / "jira-platform-v3.openapi.json.gz"
SPEC_URI = "urn:jira-platform-v3"

# Bodies of 4xx/5xx answers that the spec leaves undescribed: Jira sends an ErrorCollection (CONTRACT §11).
ERROR_COLLECTION_REF = {"$ref": f"{SPEC_URI}#/components/schemas/ErrorCollection"}


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    operation_id: str
    parameters: dict[tuple[str, str], dict[str, Any]]  # (location, name) -> parameter object
    request_schema: dict[str, Any] | None
    request_required: bool
    responses: dict[str, dict[str, Any] | None]  # status ("200", "default") -> JSON schema or None (no body)


@dataclass
class Violation:
    where: str  # "request" or "response"
    method: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.where} {self.method} {self.path}: {self.message}"


def _openapi_to_jsonschema(node: Any) -> Any:
    """Rewrite `nullable` and make `$ref`s absolute, recursively."""
    if isinstance(node, list):
        return [_openapi_to_jsonschema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _openapi_to_jsonschema(value) for key, value in node.items()}
    ref = converted.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        converted["$ref"] = SPEC_URI + ref
    if converted.pop("nullable", False) is True:
        return {"anyOf": [{"type": "null"}, converted]}
    return converted


def _json_schema_of(content: dict[str, Any] | None) -> dict[str, Any] | None:
    if not content:
        return None
    media = content.get("application/json") or next(iter(content.values()))
    schema = (media or {}).get("schema")
    return schema if schema else {}


class ContractSpec:
    """The indexed spec: operations by method and path, and a validator per schema."""

    def __init__(self, spec_path: Path = DEFAULT_SPEC_PATH) -> None:
        data = spec_path.read_bytes()
        raw = json.loads(gzip.decompress(data) if spec_path.suffix == ".gz" else data)
        self.document = _openapi_to_jsonschema(raw)
        resource = referencing.Resource(contents=self.document, specification=referencing.jsonschema.DRAFT4)
        self.registry: referencing.Registry = referencing.Registry().with_resource(SPEC_URI, resource)
        self._routes: list[tuple[re.Pattern[str], int, str, dict[str, Any]]] = []
        for template, item in self.document["paths"].items():
            literal_segments = sum(1 for seg in template.split("/") if seg and "{" not in seg)
            pattern = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "([^/]+)", re.escape(template)) + "$")
            self._routes.append((pattern, literal_segments, template, item))
        # Literal paths win over templated ones (`/issue/createmeta` before `/issue/{issueIdOrKey}`).
        self._routes.sort(key=lambda route: -route[1])
        self._validators: dict[str, jsonschema.protocols.Validator] = {}

    @functools.lru_cache(maxsize=1024)  # noqa: B019 - the spec lives for the whole session
    def operation(self, method: str, path: str) -> Operation | None:
        for pattern, _, template, item in self._routes:
            if not pattern.match(path):
                continue
            op = item.get(method.lower())
            if op is None:
                return None
            params: dict[tuple[str, str], dict[str, Any]] = {}
            for param in [*item.get("parameters", []), *op.get("parameters", [])]:
                params[(param["in"], param["name"])] = param
            body = op.get("requestBody") or {}
            return Operation(
                method=method.upper(),
                template=template,
                operation_id=op.get("operationId", ""),
                parameters=params,
                request_schema=_json_schema_of(body.get("content")),
                request_required=bool(body.get("required")),
                responses={status: _json_schema_of(resp.get("content")) for status, resp in op["responses"].items()},
            )
        return None

    def path_exists(self, path: str) -> bool:
        return any(pattern.match(path) for pattern, *_ in self._routes)

    def errors(self, schema: dict[str, Any], instance: Any) -> list[str]:
        key = json.dumps(schema, sort_keys=True)
        validator = self._validators.get(key)
        if validator is None:
            validator = jsonschema.Draft4Validator(schema, registry=self.registry)
            self._validators[key] = validator
        messages = []
        for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
            location = "/".join(str(part) for part in error.absolute_path) or "(root)"
            messages.append(f"at {location}: {error.message[:300]}")
        return messages


@functools.lru_cache(maxsize=2)
def load_spec(spec_path: Path = DEFAULT_SPEC_PATH) -> ContractSpec:
    return ContractSpec(spec_path)


def spec_path_for(path: str) -> str:
    """Data Center speaks v2 only; its paths are checked against the v3 operation of the same path."""
    return re.sub(r"^/rest/api/(2|latest)/", "/rest/api/3/", path)


def _coerce(value: str, schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "integer":
        return int(value) if re.fullmatch(r"-?\d+", value) else value
    if kind == "number":
        try:
            return float(value)
        except ValueError:
            return value
    if kind == "boolean":
        return {"true": True, "false": False}.get(value, value)
    return value


@dataclass
class ContractChecker:
    """Validates one exchange at a time and keeps what it found."""

    spec: ContractSpec
    violations: list[Violation] = field(default_factory=list)

    def check_request(self, method: str, raw_path: str, query: str, body: bytes) -> Operation | None:
        path = spec_path_for(raw_path)
        op = self.spec.operation(method, path)
        if op is None:
            what = "method not in the spec for this path" if self.spec.path_exists(path) else "path not in the spec"
            self._add("request", method, raw_path, what)
            return None
        given = parse_qs(query, keep_blank_values=True)
        for name, values in given.items():
            param = op.parameters.get(("query", name))
            if param is None:
                self._add("request", method, raw_path, f"query parameter {name!r} is not declared by {op.operation_id}")
                continue
            self._check_param(method, raw_path, name, values, param)
        for (location, name), param in op.parameters.items():
            if location == "query" and param.get("required") and name not in given:
                self._add("request", method, raw_path, f"required query parameter {name!r} is missing")
        if body:
            if op.request_schema is None:
                self._add("request", method, raw_path, f"{op.operation_id} takes no request body")
            else:
                self._check_json("request", method, raw_path, op.request_schema, body)
        elif op.request_required:
            self._add("request", method, raw_path, "request body is required")
        return op

    def check_response(self, method: str, raw_path: str, status: int, content_type: str, body: bytes) -> None:
        op = self.spec.operation(method, spec_path_for(raw_path))
        if op is None:
            return  # already reported on the request side
        if status == 204 and body:
            self._add("response", method, raw_path, "204 must have an empty body")
            return
        declared = str(status) in op.responses or "default" in op.responses
        if status < 400 and not declared:
            self._add("response", method, raw_path, f"status {status} is not declared by {op.operation_id}")
            return
        schema = op.responses.get(str(status), op.responses.get("default"))
        if status >= 400 and not schema:
            # Undeclared errors (429, 503, …) and schemaless ones: Jira answers with an ErrorCollection.
            schema = ERROR_COLLECTION_REF
        if schema is None or (schema == {} and not body):
            return
        if not body:
            if schema:
                self._add("response", method, raw_path, f"status {status} needs a JSON body")
            return
        if "json" not in content_type:
            self._add("response", method, raw_path, f"content type {content_type!r} is not JSON")
            return
        self._check_json("response", method, raw_path, schema, body)

    def _check_param(self, method: str, path: str, name: str, values: list[str], param: dict[str, Any]) -> None:
        schema = param.get("schema", {})
        if schema.get("type") == "array":
            # Form style: repeated (`fields=a&fields=b`) or comma-separated (`fields=a,b`), as Jira accepts both.
            items = [part for value in values for part in value.split(",")]
            instance: Any = [_coerce(item, schema.get("items", {})) for item in items]
        else:
            if len(values) > 1:
                self._add("request", method, path, f"query parameter {name!r} given {len(values)} times")
            instance = _coerce(values[-1], schema)
        for message in self.spec.errors(schema, instance):
            self._add("request", method, path, f"query parameter {name!r} {message}")

    def _check_json(self, where: str, method: str, path: str, schema: dict[str, Any], body: bytes) -> None:
        try:
            instance = json.loads(body)
        except ValueError as exc:
            self._add(where, method, path, f"body is not JSON: {exc}")
            return
        for message in self.spec.errors(schema, instance):
            self._add(where, method, path, message)

    def _add(self, where: str, method: str, path: str, message: str) -> None:
        self.violations.append(Violation(where=where, method=method, path=path, message=message))
