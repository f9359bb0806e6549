"""`sac_tf.core.memory`: free memory from /proc/meminfo and cgroup limits, and the check
before a large allocation."""

import pathlib

import pytest
import tensorflow as tf

from sac_tf.core import memory


def write(root: pathlib.Path, files: dict) -> str:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return str(root)


def test_available_memory_is_memavailable_without_swap(tmp_path):
    meminfo = write(tmp_path, {"meminfo": "MemTotal: 900 kB\nMemAvailable: 50 kB\n"
                                          "SwapFree: 1000 kB\n"}) + "/meminfo"
    assert memory.available_bytes(meminfo) == 50 * 1024
    assert memory.available_bytes(str(tmp_path / "missing")) is None


def test_this_machine_reports_its_available_memory():
    if not pathlib.Path("/proc/meminfo").exists():
        pytest.skip("no /proc/meminfo here")
    assert 0 < memory.available_bytes() < 2 ** 50


@pytest.mark.parametrize("files", [
    {"memory.max": "1000\n", "memory.current": "600\n",
     "memory.stat": "anon 400\ninactive_file 100\n"},
    {"memory/memory.limit_in_bytes": "1000\n", "memory/memory.usage_in_bytes": "600\n",
     "memory/memory.stat": "inactive_file 7\ntotal_inactive_file 100\n"},
])
def test_a_cgroup_limit_leaves_limit_minus_usage_plus_reclaimable_cache(tmp_path, files):
    assert memory.cgroup_free_bytes(write(tmp_path, files)) == 1000 - 600 + 100


@pytest.mark.parametrize("files", [
    {"memory.max": "max\n", "memory.current": "600\n", "memory.stat": ""},
    {"memory/memory.limit_in_bytes": "9223372036854771712\n",
     "memory/memory.usage_in_bytes": "600\n", "memory/memory.stat": ""},
    {},
])
def test_no_cgroup_limit_is_none(tmp_path, files):
    assert memory.cgroup_free_bytes(write(tmp_path, files)) is None


@pytest.mark.parametrize("available, cgroup, free", [
    (5_000, 3_000, 3_000), (5_000, None, 5_000), (None, 3_000, 3_000), (None, None, None)])
def test_free_memory_is_the_smaller_known_figure(monkeypatch, available, cgroup, free):
    monkeypatch.setattr(memory, "available_bytes", lambda: available)
    monkeypatch.setattr(memory, "cgroup_free_bytes", lambda: cgroup)
    assert memory.free_memory_bytes() == free


def test_an_allocation_may_take_ninety_percent_of_the_free_memory(monkeypatch):
    monkeypatch.setattr(tf.config, "list_logical_devices", lambda kind=None: [])  # no GPU
    monkeypatch.setattr(memory, "free_memory_bytes", lambda: 10_000)
    memory.require_free_memory(9_000, "this")
    with pytest.raises(MemoryError, match=r"^this needs 0.0 GB and 0.0 GB of memory is free$"):
        memory.require_free_memory(9_001, "this")
    monkeypatch.setattr(memory, "free_memory_bytes", lambda: None)  # unknown: no check
    memory.require_free_memory(10 ** 15, "this")
