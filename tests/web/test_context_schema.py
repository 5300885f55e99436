"""One definition of the page context: the ``PageContext`` struct validates the session body
and the ``X-TutorGPT-Context`` header, generates the OpenAPI schema, and the plugin's types and
caps are checked against it here."""

from __future__ import annotations

import json
import shutil
import subprocess

import msgspec.inspect as mi
import pytest

from tests.support.servers import REPO
from tests.web.conftest import Tutor
from tutorgpt_asgi.sessions.context import (
    PageContext,
    SessionBody,
    ValidationFailed,
    encode_context_header,
    parse_context_header,
    parse_session_body,
)


def _caps(struct: type) -> dict[str, int]:
    """Each text field's ``max_length``, read from the struct's own ``Meta``."""
    info = mi.type_info(struct)
    assert isinstance(info, mi.StructType)
    caps = {}
    for field in info.fields:
        for option in field.type.types if isinstance(field.type, mi.UnionType) else (field.type,):
            option = option.type if isinstance(option, mi.Metadata) else option
            if isinstance(option, mi.StrType) and option.max_length is not None:
                caps[field.name] = option.max_length
    return caps


def test_openapi_describes_every_accepted_field_with_its_cap(tutor: Tutor) -> None:
    schema = tutor.http.get("/openapi.json").json()["components"]["schemas"]["SessionBody"]
    properties = schema["properties"]
    assert set(properties) == set(SessionBody.__struct_fields__)
    for once_missing in ("page_url", "doc_id", "chapter_title", "lesson_title", "highlight_context",
                         "highlight_anchor", "locale", "identity_token", "student_key"):
        assert once_missing in properties
    for name, cap in _caps(SessionBody).items():
        assert properties[name]["anyOf"][0]["maxLength"] == cap, name
    assert properties["page_path"]["anyOf"][0]["pattern"] == "^/[^\\x00]*$"  # starts with /, no NUL
    for name in SessionBody.__struct_fields__:  # every text field documents the NUL rule
        if name != "learning_level":
            assert "[^\\x00]*$" in properties[name]["anyOf"][0]["pattern"], name
    # The X-TutorGPT-Context header's JSON is the same struct, documented as its own schema.
    header = tutor.http.get("/openapi.json").json()["components"]["schemas"]["PageContext"]["properties"]
    assert {name: header[name] for name in PageContext.__struct_fields__} == {
        name: properties[name] for name in PageContext.__struct_fields__}


@pytest.mark.parametrize("name", PageContext.__struct_fields__)
def test_the_body_and_the_header_refuse_the_same_values(name: str) -> None:
    too_long = "/" + "x" * _caps(PageContext)[name]
    with pytest.raises(ValidationFailed) as from_body:
        parse_session_body(json.dumps({name: too_long}).encode())
    with pytest.raises(ValidationFailed) as from_header:
        parse_context_header(encode_context_header(PageContext(**{name: too_long})))
    assert from_body.value.details == from_header.value.details
    assert from_body.value.details[0].field == name


def test_the_plugins_context_type_and_caps_match_the_struct() -> None:
    """The plugin's ``CONTEXT_CAPS`` is typed ``Record<keyof PageContext, number>``, so its keys
    are the TypeScript ``PageContext``'s (``npm run typecheck`` enforces it); here they and their
    values must equal the Python struct's."""
    node = shutil.which("node")
    assert node is not None, "node is needed (scripts/test.sh installs the npm workspace)"
    script = "console.log(JSON.stringify(require('./docusaurus-plugin/src/client/context.ts').CONTEXT_CAPS))"
    output = subprocess.run([node, "--import", "tsx", "-e", script], cwd=REPO, capture_output=True,
                            text=True, check=True, timeout=60).stdout
    assert json.loads(output) == _caps(PageContext)
