"""`bgmodel slurm SWEEP.yaml`: a SLURM job array for a sweep (one task per point).

    bgmodel slurm SWEEP.yaml [--submit]          lay out the sweep folder, write
                                                 SWEEP_DIR/slurm/array.sh (and sbatch it)
    bgmodel slurm status SWEEP_DIR [--resubmit]  done / running / pending / failed /
                                                 missing per point (and resubmit the
                                                 failed and missing ones)

Cluster settings (partition, account, modules, environment set-up, throttle) come from
slurm/defaults.yaml, then --cluster FILE, then the flags; slurm/README.md documents them.
"""
from __future__ import annotations

import sys
from collections import Counter

from .sweep import (add_folder_options, add_projection_options, projection_lines,
                    report_invalid, sweep_dir_of, wants_projection)


def register(sub) -> None:
    p = sub.add_parser("slurm", help="SLURM job array for a sweep; `slurm status SWEEP_DIR` "
                                     "for the state of its points",
                       description=__doc__.split("\n\n", 1)[1],
                       formatter_class=__import__("argparse").RawDescriptionHelpFormatter)
    p.add_argument("target", help="sweep file, or the word `status`")
    p.add_argument("sweep_dir_arg", nargs="?", metavar="SWEEP_DIR",
                   help="sweep folder (with `status`)")
    add_folder_options(p)
    p.add_argument("--submit", action="store_true", help="submit the script with sbatch")
    p.add_argument("--dry-run", action="store_true",
                   help="print the job layout (and, with --bench, the projected wall "
                        "time); write no script, submit nothing")
    p.add_argument("--resubmit", action="store_true",
                   help="with `status`: submit the failed and missing points again")
    g = p.add_argument_group("cluster settings (override slurm/defaults.yaml)")
    g.add_argument("--cluster", default=None, metavar="FILE",
                   help="YAML file with your cluster's settings")
    g.add_argument("--partition", default=None)
    g.add_argument("--account", default=None)
    g.add_argument("--qos", default=None)
    g.add_argument("--module", dest="modules", action="append", default=None,
                   help="module to load in every task (repeatable)")
    g.add_argument("--setup", action="append", default=None, metavar="LINE",
                   help="shell line run before bgmodel in every task (repeatable)")
    g.add_argument("--python", default=None,
                   help="Python that runs bgmodel in the tasks (default: this one)")
    g.add_argument("--max-parallel", type=int, default=None,
                   help="array tasks running at once (%%N throttle)")
    g.add_argument("--template", default=None, help="job-script template")
    add_projection_options(p)
    p.set_defaults(func=main)


def _settings(args, base: dict | None = None) -> dict:
    """Settings from slurm/defaults.yaml (or `base`), --cluster and the flags."""
    from ..sweep.slurm import load_settings
    flags = {"partition": args.partition, "account": args.account, "qos": args.qos,
             "modules": args.modules, "setup": args.setup, "python": args.python,
             "max_parallel": args.max_parallel, "template": args.template}
    return load_settings(args.cluster, base=base, **flags)


def main(args) -> int:
    if args.target == "status":
        if not args.sweep_dir_arg:
            raise SystemExit("bgmodel slurm status: give the sweep folder: "
                             "bgmodel slurm status SWEEP_DIR")
        return status_main(args)
    from ..sweep import lay_out, parse_sweep
    from ..sweep.slurm import submit, write_script
    spec = parse_sweep(args.target)
    folder, invalid = lay_out(spec, sweep_dir_of(args, spec))
    report_invalid(invalid)
    pending = [p.index for p in folder.pending()]
    if not pending:
        print(f"nothing to run: every valid point of {folder.path} is done")
        return 0
    settings = _settings(args)
    if args.dry_run or wants_projection(args):
        print("\n".join(job_layout(spec, settings, len(pending))))
        print("\n".join(projection_lines(args, spec, folder)))
    if args.dry_run:
        return 0
    script = write_script(folder, settings, pending)
    print(f"{len(pending)} of {len(folder.points())} points; job script {script}")
    if args.submit:
        job_id = submit(folder, script, pending)
        print(f"submitted job array {job_id}; follow it with: "
              f"bgmodel slurm status {folder.path}")
    else:
        print(f"submit it with: sbatch {script}   (or rerun with --submit)")
    return 0


def job_layout(spec, settings: dict, tasks: int) -> list[str]:
    """What the job array asks SLURM for (the packing on a node is SLURM's to make from
    --cpus-per-task and --mem; the projection says which packing is best)."""
    res = spec.resources
    throttle = settings.get("max_parallel", 1)
    return [f"job layout: {tasks} array task(s), each --cpus-per-task={res.threads} "
            f"(NEST threads) --mem={res.memory_mb}M --time={res.time}; at most "
            f"{throttle} at once (--max-parallel)"]


def status_main(args) -> int:
    from ..sweep import SweepFolder
    from ..sweep.slurm import (point_states, resubmittable, saved_settings, submit,
                               write_script)
    folder = SweepFolder(args.sweep_dir_arg)
    if not folder.exists():
        raise SystemExit(f"bgmodel slurm status: {folder.path} is not a sweep folder "
                         f"(no points.json)")
    rows = point_states(folder)
    for r in rows:
        detail = f"  {r['detail']}" if r["detail"] else ""
        print(f"{r['index']:>5}  {r['state']:<8} {r['name']}{detail}")
    counts = Counter(r["state"] for r in rows)
    print(", ".join(f"{counts[s]} {s}" for s in ("done", "running", "pending", "failed",
                                                 "missing") if counts[s]))
    if args.resubmit:
        indices = resubmittable(rows, folder)
        invalid = [p.index for p in folder.points() if not p.valid]
        if invalid:
            print(f"{len(invalid)} point(s) are not valid and are not resubmitted; fix the "
                  f"sweep file and run `bgmodel slurm` on it again", file=sys.stderr)
        if indices:
            n = len(list((folder.path / "slurm").glob("resubmit-*.sh"))) + 1
            script = write_script(folder, _settings(args, saved_settings(folder)), indices,
                                  tag=f"resubmit-{n}")
            job_id = submit(folder, script, indices)
            print(f"resubmitted {len(indices)} point(s) as job array {job_id} ({script})")
        else:
            print("nothing to resubmit")
    return 0 if counts["done"] == len(rows) else 1
