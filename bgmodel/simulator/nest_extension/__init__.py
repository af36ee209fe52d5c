"""bgmodel's NEST extension module: the two-port neuron bg_iaf_psc_alpha_2port, the
dopamine synapse with separate burst and dip amplitudes, bg_stdp_dopamine_burst_dip_synapse,
the input relay bg_spike_relay (spike_train_injector's spikes, a cheaper update),
and bulk reading and writing of synapses for Python (bg_synapse_bulk.cpp, called through
ctypes by bgmodel.simulator.synapse_bulk).

The C++ sources beside this file are compiled once per NEST installation (per virtual
environment) by `python -m bgmodel.simulator.nest_extension` (`make venv` runs it; a run that
needs it and finds it missing compiles it first) into
<venv>/lib/bgmodel-nest/<key>/bgmodel_module.so, where the key names the NEST version,
the C++ ABI and a hash of the sources, so that a changed source or another NEST gets its
own build. The network loads it with nest.Install when the config uses one of its models
(network.install_extension).

How it is built against NEST's PyPI wheel, which has no libnest to link to: the
kernel is inside the Python extension nestkernel_api.so, so the module links to that
file (already loaded by `import nest`, so the dynamic loader reuses it); it is compiled
with -fopenmp, as NEST was, but linked without an OpenMP runtime, so that its OpenMP
calls bind to the one NEST loaded; and it uses the C++ string ABI that nestkernel_api.so
was built with (the wheel's manylinux compiler uses the old one).

This module does not import NEST; building needs a C++20 compiler (g++ or $CXX) and,
for an MPI build of NEST, the mpicxx wrapper. NEST's headers include two headers of
their own dependencies, which a fresh machine lacks (headers.py finds or supplies them):
Boost's (header-only; taken from the system, $BGMODEL_BOOST_INCLUDE, or else the
boost-headers wheel from PyPI, unpacked for the compile and deleted after it) and
libltdl's ltdl.h (only its handle type is used; compat/ltdl.h declares it when the
system has none).
"""
from __future__ import annotations

import fcntl
import functools
import hashlib
import time
import importlib.metadata
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .headers import HeaderError, dependency_includes

MODEL = "bg_iaf_psc_alpha_2port"
RELAY_MODEL = "bg_spike_relay"
SOURCES = ("bg_iaf_psc_alpha_2port.cpp", "bg_stdp_dopamine_burst_dip_synapse.cpp",
           "bg_spike_relay.cpp", "bg_synapse_bulk.cpp", "bgmodel_module.cpp")
HEADERS = ("bg_iaf_psc_alpha_2port.h", "bg_stdp_dopamine_burst_dip_synapse.h",
           "bg_spike_relay.h", "compat/ltdl.h")
LIBRARY = "bgmodel_module.so"
# Beside the library: the compiler and where the dependency headers came from.
BUILD_INFO = "build-info.json"
HERE = Path(__file__).resolve().parent

# Compile flags (besides the ABI and include paths); part of the build key. No
# floating-point contraction or fast-math, whatever the compiler's defaults: the model
# must round exactly as NEST's own multisynapse neuron does.
CXXFLAGS = ("-std=c++20", "-O3", "-DNDEBUG", "-fPIC", "-fopenmp", "-ffp-contract=off",
            "-fno-fast-math")
# A failed automatic build is not retried by other processes for this long (MPI ranks
# and array tasks would otherwise each fail the same compile in turn); building from
# the command line always retries.
FAILED_BUILD_HOLD_S = 600

_NEW_ABI = b"_ZN4nest13ModuleManager7installERKNSt7__cxx1112basic_string"
_OLD_ABI = b"_ZN4nest13ModuleManager7installERKSs"


class ExtensionError(RuntimeError):
    """The extension cannot be found or built; the message says what to do."""


@dataclass(frozen=True)
class NestInstallation:
    package: Path        # the nest Python package
    include: Path        # NEST's C++ headers
    kernel: Path         # the shared object holding NEST's kernel
    version: str
    cxx11_abi: int       # _GLIBCXX_USE_CXX11_ABI that the kernel was built with
    mpi: bool            # NEST built with MPI (its headers include mpi.h)
    fingerprint: str     # hash of config.h and the kernel: this very NEST build


def find_nest() -> NestInstallation:
    """The NEST installation of this Python, found without importing it."""
    spec = importlib.util.find_spec("nest")
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionError("NEST is not installed in this Python environment "
                             f"({sys.executable}); run `make venv`")
    return _inspect(Path(list(spec.submodule_search_locations)[0]))


@functools.lru_cache(maxsize=None)
def _inspect(package: Path) -> NestInstallation:
    include = package / "include" / "nest"
    kernels = sorted(package.glob("nestkernel_api*.so"))
    if not (include / "config.h").is_file() or not kernels:
        raise ExtensionError(f"{package}: NEST's headers (include/nest/config.h) or its "
                             "kernel (nestkernel_api*.so) are missing; the extension "
                             "needs a NEST 3.10 installed from PyPI or built with "
                             "scripts/build_nest_mpi.sh")
    blob = kernels[0].read_bytes()
    if _NEW_ABI in blob:
        abi = 1
    elif _OLD_ABI in blob:
        abi = 0
    else:
        raise ExtensionError(f"{kernels[0]}: cannot tell NEST's C++ ABI (no "
                             "ModuleManager::install symbol); this NEST cannot load "
                             "extension modules")
    config_h = (include / "config.h").read_bytes()
    try:
        version = importlib.metadata.version("nest-simulator")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    fingerprint = hashlib.sha256(config_h + b"\0" + blob).hexdigest()[:12]
    return NestInstallation(package=package, include=include, kernel=kernels[0],
                            version=version, cxx11_abi=abi,
                            mpi=b"#define HAVE_MPI 1" in config_h, fingerprint=fingerprint)


def source_hash() -> str:
    """Hash of what the library is made from: sources, flags and a chosen $CXX."""
    digest = hashlib.sha256(" ".join(CXXFLAGS).encode() + b"\0"
                            + os.environ.get("CXX", "").encode())
    for name in SOURCES + HEADERS:
        digest.update(name.encode() + b"\0" + (HERE / name).read_bytes())
    return digest.hexdigest()[:12]


def library_path(nest: NestInstallation | None = None) -> Path:
    """Where the extension for this environment's NEST is (or would be) built: one
    folder per NEST build (version, MPI, ABI and a hash of its config.h and kernel)
    and per source/flag/compiler hash, so that a library is never loaded into a NEST
    it was not compiled against."""
    nest = nest or find_nest()
    key = (f"nest-{nest.version}-{'mpi' if nest.mpi else 'nompi'}-abi{nest.cxx11_abi}-"
           f"{nest.fingerprint}-{source_hash()}")
    return Path(sys.prefix) / "lib" / "bgmodel-nest" / key / LIBRARY


def compiler(nest: NestInstallation) -> str:
    """$CXX if set; g++ for a NEST without MPI; for a NEST with MPI, the compiler
    wrapper of the MPI library that NEST links to (its mpi.h sets the layout of NEST's
    kernel, so another MPI's wrapper, e.g. the mpich wheel's in a venv, would not do)."""
    if os.environ.get("CXX"):
        name = os.environ["CXX"]
        path = shutil.which(name)
        if path is None:
            raise ExtensionError(f"the compiler CXX={name!r} is not on PATH")
        return path
    if not nest.mpi:
        path = shutil.which("g++")
        if path is None:
            raise ExtensionError(f"no C++ compiler (g++) on PATH; the neuron model {MODEL} "
                                 "needs one (Debian: apt-get install g++)")
        return path
    flavour = _mpi_flavour(nest.kernel)
    candidates = {"openmpi": ["mpicxx.openmpi", "mpic++.openmpi", "mpicxx"],
                  "mpich": ["mpicxx.mpich", "mpicxx"]}[flavour]
    for name in candidates:
        path = shutil.which(name)
        if path is None:
            continue
        # Only Open MPI's wrappers know --showme; MPICH's know -show.
        is_openmpi = _succeeds([path, "--showme:version"])
        if is_openmpi if flavour == "openmpi" else (not is_openmpi and _succeeds([path, "-show"])):
            return path
    raise ExtensionError(f"NEST links to {flavour}, but no {flavour} C++ compiler wrapper "
                         f"({', '.join(candidates)}) is on PATH; set CXX to it")


def _succeeds(cmd: list[str]) -> bool:
    try:
        return subprocess.run(cmd, capture_output=True, text=True).returncode == 0
    except OSError:
        return False


def _mpi_flavour(kernel: Path) -> str:
    try:
        libs = subprocess.run(["ldd", str(kernel)], capture_output=True, text=True).stdout
    except OSError:
        libs = ""
    if "libmpich" in libs or "libmpi.so.12" in libs:
        return "mpich"
    if "libmpi.so.40" in libs or "libopen-" in libs:
        return "openmpi"
    raise ExtensionError(f"{kernel}: NEST is built with MPI, but its MPI library is "
                         "neither Open MPI nor MPICH; set CXX to that MPI's C++ wrapper")


def build(force: bool = False, quiet: bool = False, retry_failed: bool = False) -> Path:
    """Compile the extension for this environment's NEST unless it is built already.

    Safe to call from several processes at once (MPI ranks, array tasks): one compiles
    under a file lock while the others wait, and the library appears atomically (where
    the file system has no locks, each compiles its own copy; the result is the same).
    A failed build leaves a note beside the library; for FAILED_BUILD_HOLD_S other
    processes report that failure at once instead of compiling again, unless
    `retry_failed` (the command line's build)."""
    nest = find_nest()
    target = library_path(nest)
    if target.is_file() and not force:
        return target
    failed = target.parent / "build-failed.txt"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target.parent / ".lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX)
            except OSError:
                pass  # no locks on this file system: build without
            if target.is_file() and not force:
                return target
            if (not retry_failed and failed.is_file()
                    and time.time() - failed.stat().st_mtime < FAILED_BUILD_HOLD_S):
                raise ExtensionError(f"an earlier build in the last "
                                     f"{FAILED_BUILD_HOLD_S // 60} minutes failed "
                                     f"({failed}):\n{failed.read_text()}")
            try:
                _compile(nest, target, quiet)
            except ExtensionError as err:
                failed.write_text(str(err))
                raise
            failed.unlink(missing_ok=True)
    except OSError as err:
        raise ExtensionError(f"cannot build in {target.parent}: {err}") from None
    if not quiet:
        print(f"built {target}", file=sys.stderr)
    return target


def _compile(nest: NestInstallation, target: Path, quiet: bool) -> None:
    cxx = compiler(nest)
    if not quiet:
        print(f"compiling bgmodel's NEST extension ({MODEL} and the dopamine synapse) for "
              f"NEST {nest.version} with {cxx}, once per environment (about 15 s) ...",
              file=sys.stderr)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        try:
            extra, origins = dependency_includes(cxx, Path(tmp), quiet)
        except HeaderError as err:
            raise ExtensionError(str(err)) from None
        flags = [*CXXFLAGS, f"-D_GLIBCXX_USE_CXX11_ABI={nest.cxx11_abi}",
                 f"-I{nest.include}", f"-I{HERE}", *(f"-I{d}" for d in extra)]
        objects = []
        for name in SOURCES:
            obj = Path(tmp) / (Path(name).stem + ".o")
            _run([cxx, *flags, "-c", str(HERE / name), "-o", str(obj)])
            objects.append(str(obj))
        # Linked to NEST's kernel (resolved to the copy `import nest` loaded) and to no
        # OpenMP runtime: its OpenMP symbols bind to the runtime NEST brought.
        built = Path(tmp) / LIBRARY
        _run([cxx, "-shared", "-o", str(built), *objects, str(nest.kernel),
              f"-Wl,-rpath,{nest.kernel.parent}"])
        info = {"compiler": cxx, "nest": nest.version, "headers": origins}
        (target.parent / BUILD_INFO).write_text(json.dumps(info, indent=1) + "\n")
        os.replace(built, target)


def _run(cmd: list[str]) -> None:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as err:
        raise ExtensionError(f"cannot run the compiler {cmd[0]}: {err}") from None
    if done.returncode != 0:
        raise ExtensionError(f"compiling the NEST extension failed ({' '.join(cmd[:2])} ... "
                             f"exit {done.returncode}):\n{done.stderr[-4000:]}")


def main(argv: list[str] | None = None) -> int:
    import argparse
    p = argparse.ArgumentParser(prog="python -m bgmodel.simulator.nest_extension",
                                description="Build bgmodel's NEST extension module "
                                            f"({MODEL}) for this environment's NEST.")
    p.add_argument("--force", action="store_true", help="rebuild even if it is built")
    p.add_argument("--path", action="store_true", help="print where it is built and exit")
    p.add_argument("-q", "--quiet", action="store_true")
    args = p.parse_args(argv)
    try:
        if args.path:
            print(library_path())
            return 0
        print(build(force=args.force, quiet=args.quiet, retry_failed=True))
    except ExtensionError as err:
        print(f"bgmodel.simulator.nest_extension: {err}", file=sys.stderr)
        return 1
    return 0
