"""A local Ray instance shared by a test module (Ray takes seconds to start)."""

import pytest

from sac_tf.distributed.ray_session import LOCAL_SYSTEM_CONFIG


@pytest.fixture(scope="module")
def local_ray():
    """Ray started on this machine with 2 CPUs for the module; `ray_session` uses it as it is."""
    ray = pytest.importorskip("ray", reason="the ray extra is not installed")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR",
             _system_config=LOCAL_SYSTEM_CONFIG)
    yield ray
    ray.shutdown()
