"""The headers of NEST's own dependencies that compiling against NEST's headers needs.

NEST's public headers include Boost (header-only parts: type_index, tuple, iterator,
spreadsort) and libltdl's ltdl.h. NEST's PyPI wheel ships neither, and a fresh machine
has neither (Debian: libboost-dev, libltdl-dev). For each, in this order:

Boost
  1. $BGMODEL_BOOST_INCLUDE, a folder holding boost/ (a cluster's module, a conda env);
  2. the headers the compiler finds by itself (the system's, $CPATH, ...);
  3. the boost-headers wheel from PyPI (pinned below), downloaded with this Python's pip
     (so pip's cache and index settings apply), unpacked into the build's temporary
     folder for the compile and deleted with it: nothing of it stays installed.
ltdl.h
  1. the system's, when the compiler finds it;
  2. compat/ltdl.h beside this file (see there why one declaration is enough).

No root is needed for any of these; on a node without PyPI access, point
$BGMODEL_BOOST_INCLUDE at a recent Boost (1.74 and 1.85 work) unpacked somewhere.
"""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
COMPAT = HERE / "compat"
# A released wheel of the Boost headers alone (pure data, any platform).
BOOST_WHEEL = "boost-headers==1.85.0.post1"
# One header per NEST dependency: found means usable.
BOOST_PROBE = "boost/type_index.hpp"
LTDL_PROBE = "ltdl.h"
BOOST_ENV = "BGMODEL_BOOST_INCLUDE"


class HeaderError(RuntimeError):
    """A dependency's headers can be neither found nor fetched; says what to install."""


def compiler_finds(cxx: str, header: str, include_dirs: tuple[Path, ...] = ()) -> bool:
    """Whether `cxx` preprocesses `#include <header>` with these extra folders."""
    cmd = [cxx, "-std=c++20", "-E", "-x", "c++", *(f"-I{d}" for d in include_dirs),
           "-o", os.devnull, "-"]
    try:
        done = subprocess.run(cmd, input=f"#include <{header}>\n", capture_output=True,
                              text=True)
    except OSError:
        return False
    return done.returncode == 0


def dependency_includes(cxx: str, scratch: Path, quiet: bool = False
                        ) -> tuple[list[Path], dict]:
    """Extra include folders for compiling against NEST's headers, and where each
    dependency's headers came from (recorded beside the built library). `scratch` is a
    temporary folder that lives as long as the compile."""
    extra: list[Path] = []
    origins = {}
    boost_dir = os.environ.get(BOOST_ENV)
    if boost_dir:
        if not (Path(boost_dir) / BOOST_PROBE).is_file():
            raise HeaderError(f"{BOOST_ENV}={boost_dir} has no {BOOST_PROBE}; it must name "
                              "the folder that holds boost/")
        extra.append(Path(boost_dir))
        origins["boost"] = f"${BOOST_ENV}"
    elif compiler_finds(cxx, BOOST_PROBE):
        origins["boost"] = "system"
    else:
        extra.append(fetch_boost(scratch, quiet))
        origins["boost"] = f"PyPI {BOOST_WHEEL} (unpacked for the compile only)"
    if compiler_finds(cxx, LTDL_PROBE):
        origins["ltdl"] = "system"
    else:
        extra.append(COMPAT)
        origins["ltdl"] = "bgmodel compat/ltdl.h"
    return extra, origins


def fetch_boost(scratch: Path, quiet: bool = False, python: str = sys.executable) -> Path:
    """Download the boost-headers wheel with `python`'s pip and unpack its boost/ folder
    under `scratch`; return the folder to add to the include path."""
    wheels = scratch / "wheel"
    if not quiet:
        print(f"bgmodel: no Boost headers on this machine; fetching {BOOST_WHEEL} from PyPI "
              "for this compile only (set BGMODEL_BOOST_INCLUDE to use others) ...",
              file=sys.stderr)
    cmd = [python, "-m", "pip", "download", "--quiet", "--no-deps",
           "--only-binary=:all:", "--dest", str(wheels), BOOST_WHEEL]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as err:
        done = None
        reason = str(err)
    else:
        reason = done.stderr.strip()[-1500:]
    found = sorted(wheels.glob("boost_headers-*.whl")) if wheels.is_dir() else []
    if done is None or done.returncode != 0 or not found:
        raise HeaderError(
            "NEST's headers need Boost's headers, which this machine lacks, and "
            f"`pip download {BOOST_WHEEL}` failed ({reason or 'no wheel'}). Either install "
            "them (Debian/Ubuntu: apt-get install libboost-dev; conda: boost-cpp) or "
            f"unpack a recent Boost (1.74 and 1.85 work) and set {BOOST_ENV} to the folder holding boost/")
    include = scratch / "boost-include"
    prefix = "boost_headers/include/"
    with zipfile.ZipFile(found[0]) as wheel:
        for info in wheel.infolist():
            if info.filename.startswith(prefix + "boost/") and not info.is_dir():
                info.filename = info.filename[len(prefix):]
                wheel.extract(info, include)
    if not (include / BOOST_PROBE).is_file():
        raise HeaderError(f"{found[0].name} holds no {BOOST_PROBE}; set {BOOST_ENV} to a "
                          "folder holding boost/")
    return include
