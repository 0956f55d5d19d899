"""The submit form of a job kind, generated from its payload model's JSON schema.

Scalars become inputs (numbers with their bounds, enums as selects, booleans as checkboxes),
nested models become fieldsets, and anything structured (lists, maps, whole problems such as a
grid layout or a scenario) becomes a JSON text area that an uploaded file may fill instead.
Parsing turns the posted strings back into a payload dictionary; validation is then the API's
own (the kind's submission model), and its error fields map back onto the form's inputs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

__all__ = ["FormField", "FormSpec", "form_spec", "parse_form"]

#: Fields the "problem source" section of the page fills (upload or stored instance).
SOURCE_FIELDS = frozenset({"instance", "instance_id"})
_MAX_DEPTH = 2


@dataclass(frozen=True)
class FormField:
    """One input of the form; ``name`` is the dotted path in the payload (``params.seed``)."""

    name: str
    label: str
    widget: str  # number | integer | text | select | checkbox | json
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    description: str = ""
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False

    @property
    def html_id(self) -> str:
        """The input's element id."""
        return "f-" + self.name.replace(".", "-").replace("_", "-")

    @property
    def default_text(self) -> str:
        """The default shown in the input (empty: the solver's own default)."""
        if self.default is None:
            return ""
        if self.widget == "json":
            return json.dumps(self.default)
        return str(self.default)

    @property
    def step(self) -> str:
        """The ``step`` attribute of a number input."""
        return "1" if self.widget == "integer" else "any"


@dataclass(frozen=True)
class FormGroup:
    """A fieldset: the fields of one nested model (``prefix`` empty for the payload itself)."""

    prefix: str
    title: str
    fields: list[FormField] = field(default_factory=list)


@dataclass(frozen=True)
class FormSpec:
    """The whole form of one kind."""

    kind: str
    groups: list[FormGroup]
    uses_instance: bool

    @property
    def fields(self) -> list[FormField]:
        """Every field, in page order."""
        return [f for g in self.groups for f in g.fields]


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _non_null(schema: dict[str, Any], defs: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The schema without a ``null`` alternative, and whether null was allowed."""
    options = schema.get("anyOf")
    if options:
        rest = [o for o in options if o.get("type") != "null"]
        if len(rest) == 1:
            merged = {k: v for k, v in schema.items() if k != "anyOf"}
            merged.update(_resolve(rest[0], defs))
            return merged, len(rest) < len(options)
    return _resolve(schema, defs), False


def _label(name: str) -> str:
    return name.replace("_", " ")


def _scalar_field(name: str, prop: dict[str, Any], required: bool) -> FormField | None:
    enum = prop.get("enum")
    kind = prop.get("type")
    common: dict[str, Any] = {
        "name": name,
        "label": _label(name.rsplit(".", 1)[-1]),
        "required": required,
        "default": prop.get("default"),
        "description": prop.get("description", ""),
    }
    if enum is not None or "const" in prop:
        values = enum if enum is not None else [prop["const"]]
        return FormField(widget="select", choices=tuple(str(v) for v in values), **common)
    if kind == "boolean":
        return FormField(widget="checkbox", **common)
    if kind in ("integer", "number"):
        low = prop.get("minimum", prop.get("exclusiveMinimum"))
        return FormField(
            widget=kind,
            minimum=low,
            maximum=prop.get("maximum", prop.get("exclusiveMaximum")),
            exclusive_minimum="exclusiveMinimum" in prop,
            **common,
        )
    if kind == "string" and "format" not in prop:
        return FormField(widget="text", **common)
    return None


def _walk(
    model_schema: dict[str, Any],
    defs: dict[str, Any],
    prefix: str,
    title: str,
    depth: int,
    groups: list[FormGroup],
) -> None:
    group = FormGroup(prefix, title)
    groups.append(group)
    required = set(model_schema.get("required", ()))
    for key, raw in model_schema.get("properties", {}).items():
        if not prefix and key in SOURCE_FIELDS:
            continue
        name = f"{prefix}.{key}" if prefix else key
        prop, _nullable = _non_null(raw, defs)
        if "default" in raw and "default" not in prop:
            prop = {**prop, "default": raw["default"]}
        is_model = prop.get("type") == "object" and "properties" in prop
        if is_model and depth < _MAX_DEPTH:
            _walk(prop, defs, name, _label(name), depth + 1, groups)
            continue
        scalar = _scalar_field(name, prop, key in required)
        if scalar is None:
            scalar = FormField(
                name=name,
                label=f"{_label(key)} (JSON)",
                widget="json",
                required=key in required,
                default=prop.get("default") or None,
                description=raw.get("description", prop.get("description", "")),
            )
        group.fields.append(scalar)


def form_spec(kind: str, payload_model: type[BaseModel]) -> FormSpec:
    """The form of ``kind`` from its payload model."""
    schema = payload_model.model_json_schema()
    defs = schema.get("$defs", {})
    groups: list[FormGroup] = []
    _walk(schema, defs, "", "parameters", 0, groups)
    uses_instance = "instance" in schema.get("properties", {})
    return FormSpec(kind, [g for g in groups if g.fields], uses_instance)


def _set(target: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        nxt = target.get(part)
        if not isinstance(nxt, dict):
            nxt = {}
            target[part] = nxt
        target = nxt
    target[parts[-1]] = value


def _convert(spec: FormField, text: str) -> Any:
    if spec.widget == "integer":
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"expected a whole number, got {text!r}") from None
    if spec.widget == "number":
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"expected a number, got {text!r}") from None
    if spec.widget == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON: {exc.msg} (line {exc.lineno})") from None
    return text


def parse_form(
    spec: FormSpec, form: dict[str, str], base: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The payload dictionary from posted ``form`` values over ``base`` (an uploaded payload).

    Empty inputs keep the base's value (or the model's default). Returns the payload and the
    errors by field name (inputs that could not even be converted).
    """
    payload: dict[str, Any] = json.loads(json.dumps(base or {}))
    errors: dict[str, str] = {}
    for spec_field in spec.fields:
        if spec_field.widget == "checkbox":
            # An unchecked box posts nothing: the hidden companion says the box was on the form.
            if f"{spec_field.name}.present" in form:
                _set(payload, spec_field.name, spec_field.name in form)
            continue
        text = form.get(spec_field.name, "").strip()
        if not text:
            continue
        try:
            _set(payload, spec_field.name, _convert(spec_field, text))
        except ValueError as exc:
            errors[spec_field.name] = str(exc)
    return payload, errors
