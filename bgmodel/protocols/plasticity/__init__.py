"""The plasticity protocol: conditioning (CS+), generalization and discrimination (CS-).

    protocol.py     the closed loop over episodes that drives the network (Plasticity)
    schema.py       the schema and checks of its `protocol:` section
    schedule.py     which episode is which: phase, pattern, probe (no NEST)
    episodes.py     results/episodes.csv, one row per episode (no NEST)
    checkpoint.py   results/checkpoint.npz, from which `bgmodel resume` continues
The dopamine that follows an episode is the dopamine model's (bgmodel.dopamine).
"""
