import pytest

from chatkit_widget._protocol import parse_incoming


def test_parses_request_and_cancel() -> None:
    req = parse_incoming(
        {"kind": "request", "id": "a", "request": {"type": "threads.list", "params": {}}}
    )
    assert req == {"kind": "request", "id": "a", "request": {"type": "threads.list", "params": {}}}
    assert parse_incoming({"kind": "cancel", "id": "a"}) == {"kind": "cancel", "id": "a"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("hello", "expected an envelope object"),
        ({"kind": "request"}, "missing a string 'id'"),
        ({"kind": "request", "id": "x", "request": {"params": {}}}, "with a 'type'"),
        ({"kind": "nope", "id": "x"}, "unknown envelope kind 'nope'"),
    ],
)
def test_rejects_malformed_envelopes(raw: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_incoming(raw)
