"""The machine a bench runs on: cores, memory, host, date (no NEST)."""
from __future__ import annotations

import os
import platform
import socket

from .. import __version__
from ..results.rundir import now_iso
from ..sweep.executors import available_cores


def memory_gb() -> float | None:
    """Physical memory of the machine (GB), None where the OS does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024 ** 3
    except (ValueError, OSError, AttributeError):
        return None


def load_average() -> list[float] | None:
    """1, 5 and 15 min load averages (None where the OS has none)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def describe_machine() -> dict:
    """What a bench JSON records about the machine it was measured on.

    The load average is kept because wall times on a shared machine move with it.
    """
    return {"hostname": socket.gethostname(), "date": now_iso(),
            "cpu_count": os.cpu_count(), "available_cores": available_cores(),
            "memory_gb": None if memory_gb() is None else round(memory_gb(), 2),
            "platform": platform.platform(), "python": platform.python_version(),
            "bgmodel": __version__, "nest": None, "load_average_at_start": load_average()}
