"""`bgmodel sweep SWEEP.yaml`: run every point of a sweep into one sweep folder.

Points already done are skipped, so a rerun after a failure or a time-out runs only
what is missing. `--executor local` (default) fills this machine's cores with child
processes; `mpiexec -n N bgmodel sweep SWEEP.yaml --executor mpi` spreads the points over
MPI ranks. Also registers the hidden `bgmodel sweep-task SWEEP_DIR INDEX` that runs one
point from its frozen config (what local children and SLURM array tasks run).
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..model.schema import ConfigError


def register(sub) -> None:
    p = sub.add_parser("sweep", help="run a parameter sweep (configs/sweeps/*.yaml)")
    p.add_argument("sweep", help="sweep file")
    add_folder_options(p)
    p.add_argument("--executor", choices=("local", "mpi"), default="local",
                   help="local: a process pool on this machine (default); mpi: points "
                        "spread over the ranks of mpiexec")
    p.add_argument("-j", "--jobs", type=int, default=None,
                   help="at most this many runs at once (local; never more than "
                        "cores // resources.threads)")
    p.add_argument("--dry-run", action="store_true",
                   help="lay out the sweep folder and list the points; run nothing")
    add_projection_options(p)
    p.set_defaults(func=main)

    # Hidden (no help): one point, from the frozen config in the sweep folder.
    t = sub.add_parser("sweep-task")
    t.add_argument("sweep_dir")
    t.add_argument("index", type=int)
    t.add_argument("-q", "--quiet", action="store_true")
    t.set_defaults(func=task_main)


def add_folder_options(p) -> None:
    p.add_argument("--out", default="log/sweeps",
                   help="parent of the sweep folder, which is named after the sweep "
                        "(default log/sweeps/)")
    p.add_argument("--sweep-dir", default=None, help="exact sweep folder")


def add_projection_options(p) -> None:
    g = p.add_argument_group("projected wall time (docs/benchmarks.md)")
    g.add_argument("--bench", default=None, metavar="BENCH_JSON",
                   help="figures of `bgmodel bench`: print the sweep's projected wall time "
                        "and the packing of runs per node")
    g.add_argument("--cores-per-node", type=int, default=None,
                   help="cores of a node (default: the cores available here)")
    g.add_argument("--memory-gb-per-node", type=float, default=None,
                   help="memory of a node in GB (default: not a limit)")
    g.add_argument("--nodes", type=int, nargs="+", default=[1],
                   help="node counts to project for (default 1)")
    g.add_argument("--extrapolate", action="store_true",
                   help="scale the figures of the largest measured scale linearly to "
                        "scales the bench did not measure (printed as an assumption)")


def wants_projection(args) -> bool:
    return bool(args.bench or args.cores_per_node or args.memory_gb_per_node)


def projection_lines(args, spec, folder) -> list[str]:
    """The projected wall time of the folder's pending points (bgmodel.sweep.projection)."""
    from ..bench.figures import load_bench
    from ..model.config import read_yaml
    from ..sweep.executors import available_cores
    from ..sweep.projection import describe, project, work_of_config
    cores = args.cores_per_node or available_cores()
    memory = args.memory_gb_per_node
    for flag, value, ok, allowed in (
            ("--cores-per-node", cores, cores >= 1, "an integer >= 1"),
            ("--memory-gb-per-node", memory, memory is None or memory > 0, "a number > 0"),
            ("--nodes", args.nodes, all(n >= 1 for n in args.nodes), "integers >= 1")):
        if not ok:
            raise ConfigError("command line", flag, value, allowed)
    bench = load_bench(args.bench) if args.bench else None
    works = [work_of_config(read_yaml(folder.config_file(p))) for p in folder.pending()]
    try:
        proj = project(works, bench, cores=cores, nodes=args.nodes,
                       memory_gb_per_node=args.memory_gb_per_node,
                       memory_gb_per_run=spec.resources.memory_gb,
                       extrapolate=args.extrapolate, sweep_threads=spec.resources.threads)
    except ValueError as err:  # no run fits on the node
        return [f"projection: {err}"]
    return describe(proj, cores, args.memory_gb_per_node, spec.resources.threads, bench)


def sweep_dir_of(args, spec) -> Path:
    return Path(args.sweep_dir) if args.sweep_dir else Path(args.out) / spec.name


def report_invalid(invalid, stream=sys.stderr) -> None:
    """Print the configuration errors of points that will not run."""
    if not invalid:
        return
    print(f"{len(invalid)} point(s) are not valid and will not run:", file=stream)
    for point, err in invalid:
        print(f"  point {point.index} ({point.name}): {err}", file=stream)


def _summary_line(folder, outcomes) -> str:
    statuses = [folder.status(p) for p in folder.points()]
    done = statuses.count("done")
    failed = [o for o in outcomes if o.status == "failed"]
    invalid = statuses.count("invalid")
    line = f"{done}/{len(statuses)} points done"
    if failed:
        line += f", {len(failed)} failed in this run"
    if invalid:
        line += f", {invalid} not valid"
    return line + f"; sweep folder {folder.path}"


def main(args) -> int:
    from ..sweep import lay_out, parse_sweep
    if args.executor == "mpi":
        return mpi_main(args)
    spec = parse_sweep(args.sweep)
    folder, invalid = lay_out(spec, sweep_dir_of(args, spec))
    report_invalid(invalid)
    points = folder.points()
    pending = folder.pending()
    skipped = sum(folder.status(p) == "done" for p in points)
    print(f"sweep {spec.name}: {len(points)} points, {skipped} already done, "
          f"{len(pending)} to run; folder {folder.path}")
    if args.dry_run:
        for p in points:
            print(f"  {p.index:>4}  {folder.status(p):<11} {p.name}")
    if wants_projection(args):
        print("\n".join(projection_lines(args, spec, folder)))
    if args.dry_run:
        return 0
    from ..sweep.executors import pool_size, run_local
    threads = spec.resources.threads
    if pending:
        size = pool_size(threads, len(pending), args.jobs)
        print(f"running {size} at a time x {threads} thread(s)")
    outcomes = run_local(folder, pending, threads, jobs=args.jobs)
    print(_summary_line(folder, outcomes))
    return 0 if all(folder.status(p) == "done" for p in points) else 1


def mpi_main(args) -> int:
    """Rank 0 lays out the folder; every rank runs its share; rank 0 reports."""
    from ..sweep import lay_out, parse_sweep
    from ..sweep.executors import mpi_world, run_mpi_points
    comm = mpi_world()
    rank = comm.Get_rank()
    folder_path, pending, error = None, None, None
    if rank == 0:
        try:
            spec = parse_sweep(args.sweep)
            folder, invalid = lay_out(spec, sweep_dir_of(args, spec))
            report_invalid(invalid)
            folder_path = str(folder.path)
            pending = [p.index for p in folder.pending()]
            print(f"sweep {spec.name}: {len(folder.points())} points, {len(pending)} to run "
                  f"over {comm.Get_size()} MPI ranks; folder {folder.path}", flush=True)
        except ConfigError as err:
            error = str(err)
    error, folder_path = comm.bcast((error, folder_path), root=0)
    if error is not None:
        return _reraise(error) if rank == 0 else 2
    if args.dry_run:
        return 0
    outcomes = run_mpi_points(folder_path, pending, report=lambda line: print(line, flush=True))
    if rank != 0:
        return 0
    from ..sweep import SweepFolder
    folder = SweepFolder(folder_path)
    print(_summary_line(folder, outcomes))
    return 0 if all(folder.status(p) == "done" for p in folder.points()) else 1


def _reraise(message: str) -> int:
    print(f"bgmodel: configuration error: {message}", file=sys.stderr)
    return 2


def task_main(args) -> int:
    """Run one point; exit status 1 when it fails (its run folder says why)."""
    from ..protocols import protocol_class
    from ..sweep import SweepFolder, run_point
    folder = SweepFolder(args.sweep_dir)
    try:
        point = folder.point(args.index)
    except (FileNotFoundError, IndexError) as err:
        raise SystemExit(f"bgmodel sweep-task: {err}") from None
    status, summary = run_point(folder, args.index, quiet=args.quiet)
    if status == "skipped":
        print(f"point {args.index} ({point.name}) is already done")
        return 0
    if status == "resumed":
        print(f"point {args.index} ({point.name}) resumed from where it stopped")
    print(protocol_class(folder.manifest()["protocol"]).report(summary))
    print(f"results: {folder.run_dir(point).path}")
    return 0
