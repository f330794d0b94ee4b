import gzip
import struct

import numpy as np
import pytest

from clfcore.data.idx import read_idx, write_idx
from clfcore.errors import DatasetError


def test_round_trip_keeps_shape_and_values(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "x.gz", images)
    np.testing.assert_array_equal(read_idx(tmp_path / "x.gz"), images)


def test_reads_uncompressed_files(tmp_path):
    labels = np.array([3, 1, 4], dtype=np.uint8)
    (tmp_path / "y").write_bytes(bytes([0, 0, 8, 1]) + struct.pack(">I", 3) + labels.tobytes())
    np.testing.assert_array_equal(read_idx(tmp_path / "y"), labels)


def test_truncated_gzip_is_a_clear_error(tmp_path):
    write_idx(tmp_path / "x.gz", np.zeros((50, 28, 28), np.uint8))
    data = (tmp_path / "x.gz").read_bytes()
    (tmp_path / "x.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetError, match="truncated or corrupt"):
        read_idx(tmp_path / "x.gz")


def test_missing_data_bytes_are_reported_with_counts(tmp_path):
    header = bytes([0, 0, 8, 3]) + struct.pack(">3I", 10, 28, 28)
    (tmp_path / "x.gz").write_bytes(gzip.compress(header + bytes(100)))
    with pytest.raises(DatasetError, match="promises 7840 bytes of data, found 100"):
        read_idx(tmp_path / "x.gz")


@pytest.mark.parametrize(
    "content", [b"", b"not an idx file at all", bytes([0, 0, 13, 1, 0, 0, 0, 1, 0])]
)
def test_garbage_is_not_an_idx_file(tmp_path, content):
    (tmp_path / "x").write_bytes(content)
    with pytest.raises(DatasetError, match="not an IDX file|truncated"):
        read_idx(tmp_path / "x")


def test_missing_file_says_which(tmp_path):
    with pytest.raises(DatasetError, match="is missing"):
        read_idx(tmp_path / "nope.gz")
