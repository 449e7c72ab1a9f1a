from __future__ import annotations

import numpy as np
import pytest

from app.vectors.errors import VectorValidationError
from app.vectors.metrics import VECTORS_REJECTED
from app.vectors.validation import Bounds, check, check_batch

B = Bounds(dim=4)


def unit(*v: float) -> np.ndarray:
    a = np.array(v, dtype=np.float32)
    return a / np.linalg.norm(a)


def rejected(entity: str, reason: str) -> float:
    return VECTORS_REJECTED.labels(entity, reason)._value.get()


def test_a_unit_vector_of_the_right_dimension_passes() -> None:
    out = check("products", "P1", [1.0, 0.0, 0.0, 0.0], B)
    assert out.dtype == np.float32
    assert out.tolist() == [1.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("vector", "reason", "words"),
    [
        ([1.0, 0.0, 0.0], "dimension", "expected (4,)"),
        ([[1.0, 0.0, 0.0, 0.0]], "dimension", "shape (1, 4)"),
        ([np.nan, 1.0, 0.0, 0.0], "not_finite", "1 NaN"),
        ([np.inf, 0.0, 0.0, 0.0], "not_finite", "infinite"),
        ([0.0, 0.0, 0.0, 0.0], "norm", "norm 0"),
        ([3.0, 0.0, 0.0, 0.0], "norm", "norm 3"),
        (["a", "b", "c", "d"], "type", "not numeric"),
    ],
)
def test_a_bad_vector_is_refused_named_and_counted(vector: object, reason: str, words: str) -> None:
    before = rejected("users", reason)
    with pytest.raises(VectorValidationError) as info:
        check("users", "U-7", vector, B)
    assert "users vector 'U-7'" in str(info.value)
    assert words in str(info.value)
    assert info.value.entity_id == "U-7"
    assert rejected("users", reason) == before + 1


def test_a_batch_with_bad_vectors_counts_each_and_names_the_first() -> None:
    before = rejected("sessions", "norm")
    items = [("s1", unit(1, 1, 0, 0)), ("s2", [0.0] * 4), ("s3", [5.0, 0, 0, 0])]
    with pytest.raises(VectorValidationError) as info:
        check_batch("sessions", items, B)
    assert info.value.entity_id == "s2"
    assert info.value.rejected == 2
    assert "1 more in the same batch" in str(info.value)
    assert rejected("sessions", "norm") == before + 2


def test_a_good_batch_comes_back_as_float32() -> None:
    out = check_batch("sessions", [("a", unit(1, 2, 3, 4)), ("b", unit(0, 0, 0, 1))], B)
    assert [o.dtype for o in out] == [np.float32, np.float32]
