"""The worker protocol carries plain arrays as bytes and refuses anything else."""
import numpy as np
import pytest

from autograder.sandbox import _ag_protocol as protocol


def test_round_trip_keeps_dtype_shape_values_and_structure():
    value = {"ok": True, "value": (np.arange(6, dtype=np.float32).reshape(2, 3),
                                   np.array([True, False]), np.float64(-np.inf), None, [1, "x"])}
    back = protocol.decode(protocol.encode(value))
    out, mask, neg_inf, none, items = back["value"]
    assert out.dtype == np.float32 and out.shape == (2, 3) and (out == value["value"][0]).all()
    assert mask.dtype == bool and neg_inf == -np.inf and none is None and items == [1, "x"]
    assert type(out) is np.ndarray and not out.flags.writeable


def test_an_ndarray_subclass_arrives_as_a_plain_ndarray():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    sent = np.zeros(3).view(Liar)
    back = protocol.decode(protocol.encode(sent))
    assert type(back) is np.ndarray and not (back == np.ones(3)).any()


def test_object_arrays_and_unknown_objects_are_marked_unsupported():
    back = protocol.decode(protocol.encode([np.array([object()]), object()]))
    assert all(isinstance(item, protocol.Unsupported) for item in back)


@pytest.mark.parametrize("tamper", [
    lambda data: data[:-1],                                     # truncated buffer
    lambda data: data + b"\0",                                  # trailing bytes
    lambda data: data.replace(b'"<f8"', b'"|O8"'),              # object dtype
    lambda data: data.replace(b'"nbytes": 24', b'"nbytes": 240'),
])
def test_malformed_messages_are_refused(tamper):
    data = protocol.encode(np.zeros(3))
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(tamper(data))
