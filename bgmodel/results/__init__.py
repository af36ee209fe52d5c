"""Run folders and the results in them, without NEST.

    rundir.py          self-describing run folders written atomically (config.yaml,
                       run.json, results/), and which MPI rank writes them
    analysis.py        rates and population rates from spike trains
    authors_format.py  per-episode rates in the authors' text files (read and write)
    runsets.py         groups of run folders (ours or the authors') for figures
    rng.py             NumPy generators' states as JSON, for checkpoints
    progress.py        progress lines of a running protocol
"""
