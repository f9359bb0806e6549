"""Whether a large host allocation fits before it is made: TensorFlow fills a replay
buffer's zeros at once, and past the free memory that ends in an allocator error or in the
kernel killing the process (`require_free_memory`)."""

import pathlib
from typing import Optional

import tensorflow as tf

#: The share of the free memory one allocation may take (the rest: TensorFlow, networks, envs).
MEMORY_SHARE = 0.9
#: cgroup v2 and v1 file names: limit, usage, statistics, reclaimable page cache's key.
CGROUP_FILES = (("memory.max", "memory.current", "memory.stat", "inactive_file"),
                ("memory/memory.limit_in_bytes", "memory/memory.usage_in_bytes",
                 "memory/memory.stat", "total_inactive_file"))


def available_bytes(meminfo: str = "/proc/meminfo") -> Optional[int]:
    """Bytes Linux can give new allocations without swapping (`MemAvailable`; swap is not
    counted: a replay buffer is read at random); None where it cannot be read."""
    try:
        with open(meminfo) as lines:
            fields = dict(line.split(":", 1) for line in lines)
        return 1024 * int(fields["MemAvailable"].split()[0])
    except (OSError, KeyError, ValueError):
        return None


def cgroup_free_bytes(root: str = "/sys/fs/cgroup") -> Optional[int]:
    """Bytes left under the memory limit of the cgroup mounted at `root` (a container's own):
    limit − usage + the page cache it can reclaim (`inactive_file`), cgroup v2 or v1; None
    without a limit or where none can be read."""
    for limit_file, usage_file, stat_file, reclaimable in CGROUP_FILES:
        try:
            limit = (pathlib.Path(root) / limit_file).read_text().strip()
            if limit == "max" or int(limit) >= 2 ** 60:  # v1 writes "no limit" as ≈ 2⁶³
                continue
            usage = int((pathlib.Path(root) / usage_file).read_text())
            stats = dict(line.split() for line in
                         (pathlib.Path(root) / stat_file).read_text().splitlines())
            return int(limit) - usage + int(stats.get(reclaimable, 0))
        except (OSError, ValueError):
            continue
    return None


def free_memory_bytes() -> Optional[int]:
    """The smaller of `available_bytes` and `cgroup_free_bytes`; None if neither is known."""
    known = [free for free in (available_bytes(), cgroup_free_bytes()) if free is not None]
    return min(known) if known else None


def require_free_memory(num_bytes: int, what: str) -> None:
    """Raises `MemoryError` ("{what} needs … GB and … GB of memory is free") when `num_bytes`
    exceed `MEMORY_SHARE` of `free_memory_bytes`. Checks nothing where a GPU is visible
    (variables are placed in its memory, whose allocator reports its own error) or the free
    memory is unknown."""
    if tf.config.list_logical_devices("GPU"):
        return
    free = free_memory_bytes()
    if free is not None and num_bytes > MEMORY_SHARE * free:
        raise MemoryError(f"{what} needs {num_bytes / 1e9:,.1f} GB and {free / 1e9:,.1f} GB of "
                          f"memory is free")
