#!/usr/bin/env bash
# Build NEST with MPI from its source distribution on PyPI and install it into a venv,
# in place of the PyPI wheel (which has OpenMP but no MPI).
#
#   scripts/build_nest_mpi.sh [VENV]          VENV defaults to .venv
#
# Environment variables (all optional):
#   NEST_VERSION  NEST release to build (default 3.10.0)
#   JOBS          parallel compile jobs (default: all cores)
#   WORK          build folder (default build/nest-mpi; build/ is ignored by git)
#   SKIP_APT=1    do not install the Debian/Ubuntu packages (install the equivalents
#                 yourself, or `module load` them on a cluster: GSL, Boost headers, an
#                 MPI with its compiler wrappers, libltdl, readline, CMake >= 3.19)
#
# What it does:
#   1. apt-get installs the build dependencies: libgsl-dev libboost-dev libopenmpi-dev
#      openmpi-bin libltdl-dev libreadline-dev cmake build-essential (as root or sudo).
#   2. pip installs the build tools into the venv: scikit-build-core, cython>=3, numpy.
#   3. pip downloads the nest-simulator sdist and unpacks it under WORK.
#   4. pip builds a wheel with -C cmake.define.with-mpi=ON (no build isolation, so the
#      venv's numpy and cython are used) and installs it over the PyPI wheel.
#   5. mpi4py is rebuilt from source against the same MPI (bgmodel gathers the ranks'
#      spikes with it), and the mpich wheel of bgmodel's [mpi]/[test] extras is removed:
#      two MPI libraries in one process do not mix.
#   6. Checks: nest.build_info["have_mpi"] is true, and a two-rank NEST simulation runs.
# A wheel already in WORK/wheels is reused (step 4 then takes seconds), so that a second
# venv, or a CI cache of build/nest-mpi/wheels, skips the compile.
#
# Cost, measured on a 2-core machine: the NEST compile takes about 14 minutes with
# JOBS=2 (steps 1-3 and 5 take about a minute more); with 16 cores expect 2-3 minutes.
# After it, `mpiexec -n N bgmodel run ...` runs one network over N ranks
# (docs/cluster.md, "One large run across MPI ranks"). Sweeps over MPI ranks
# (`bgmodel sweep --executor mpi`) need the PyPI wheel instead: with an MPI-enabled
# NEST every rank joins one simulation.
set -euo pipefail

VENV=${1:-.venv}
NEST_VERSION=${NEST_VERSION:-3.10.0}
JOBS=${JOBS:-$(nproc)}
WORK=${WORK:-build/nest-mpi}
PY="$VENV/bin/python"

if [ ! -x "$PY" ]; then
    echo "build_nest_mpi.sh: no Python at $PY; create the venv first (python -m venv $VENV)" >&2
    exit 1
fi

if [ -z "${SKIP_APT:-}" ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "== installing build dependencies (apt-get)"
    $SUDO apt-get update
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y \
        build-essential cmake libgsl-dev libboost-dev libopenmpi-dev openmpi-bin \
        libltdl-dev libreadline-dev
fi

echo "== build tools into $VENV"
"$PY" -m pip install scikit-build-core "cython>=3" numpy

echo "== NEST $NEST_VERSION source distribution"
mkdir -p "$WORK"
SRC="$WORK/nest_simulator-$NEST_VERSION"
if [ ! -d "$SRC" ]; then
    "$PY" -m pip download --no-deps --no-binary nest-simulator --no-build-isolation \
        --dest "$WORK" "nest-simulator==$NEST_VERSION"
    tar -xzf "$WORK/nest_simulator-$NEST_VERSION.tar.gz" -C "$WORK"
fi

WHEELS=("$WORK/wheels/nest_simulator-$NEST_VERSION"-*.whl)
if [ -f "${WHEELS[0]}" ]; then
    # A wheel built earlier (delete build/nest-mpi/wheels to rebuild): seconds, not minutes.
    echo "== reusing ${WHEELS[0]}"
else
    echo "== compiling NEST with MPI ($JOBS jobs; about 14 min on 2 cores)"
    export MAKEFLAGS="-j$JOBS" CMAKE_BUILD_PARALLEL_LEVEL="$JOBS"
    "$PY" -m pip wheel --no-build-isolation --no-deps -C cmake.define.with-mpi=ON \
        --wheel-dir "$WORK/wheels" "$SRC"
fi
"$PY" -m pip install --force-reinstall --no-deps "$WORK/wheels/nest_simulator-$NEST_VERSION"-*.whl

echo "== mpi4py against the same MPI"
"$PY" -m pip uninstall -y mpich >/dev/null 2>&1 || true
"$PY" -m pip install --force-reinstall --no-cache-dir --no-binary mpi4py mpi4py

echo "== checks"
"$PY" -c 'import nest, sys; sys.exit(0 if nest.build_info["have_mpi"] else "NEST has no MPI")'
# Open MPI refuses root unless told; harmless for other users.
ROOT_FLAG=""
[ "$(id -u)" -eq 0 ] && ROOT_FLAG="--allow-run-as-root"
mpiexec $ROOT_FLAG -n 2 "$PY" -c '
import nest
nest.set_verbosity("M_ERROR")
n = nest.Create("iaf_psc_alpha", 4, params={"I_e": 400.0})
rec = nest.Create("spike_recorder")
nest.Connect(n, rec)
nest.Simulate(100.0)
assert nest.NumProcesses() == 2
print(f"rank {nest.Rank()} of {nest.NumProcesses()}: {rec.n_events} local spikes")
'
echo "NEST $NEST_VERSION with MPI is installed in $VENV"
