"""The published JSON Schema: committed, current, and accepting the plans we ship."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

import kantorovich.model.schema as schema
from conftest import EXAMPLES, ROOT, TEXTBOOK

SCHEMA_FILE = ROOT / "src" / "kantorovich" / "model" / "plan.schema.json"


def test_committed_schema_is_current() -> None:
    assert json.loads(SCHEMA_FILE.read_text()) == schema.json_schema(), (
        "regenerate with: kantorovich schema -o src/kantorovich/model/plan.schema.json")


def test_shipped_plans_validate_against_the_schema() -> None:
    published = json.loads(SCHEMA_FILE.read_text())
    files = [EXAMPLES / "leningrad.yaml", *TEXTBOOK.glob("*.yaml"),
             ROOT / "tests" / "data" / "two_mills.yaml"]
    for path in files:
        jsonschema.validate(yaml.safe_load(Path(path).read_text()), published)


def test_schema_rejects_unknown_fields() -> None:
    published = json.loads(SCHEMA_FILE.read_text())
    plan = yaml.safe_load((EXAMPLES / "leningrad.yaml").read_text())
    plan["processes"]["mill-3-milling"]["capcity"] = 5
    try:
        jsonschema.validate(plan, published)
    except jsonschema.ValidationError as exc:
        assert "capcity" in str(exc)
    else:  # pragma: no cover - the assertion is the point
        raise AssertionError("an unknown field passed the schema")
