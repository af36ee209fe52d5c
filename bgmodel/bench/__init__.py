"""`bgmodel bench`: what one run costs on this machine, for planning sweeps.

    machine   the machine a bench ran on (cores, memory, host, date); no NEST
    measure   the measurements: one child `bgmodel run` each, figures read back from
              its run folder (run.json, results/episodes.csv)
    figures   a bench JSON read back: the figures of a protocol at a scale and
              thread count (what bgmodel.sweep.projection uses); no NEST

Nothing here imports NEST: every measurement runs in its own process.
"""
