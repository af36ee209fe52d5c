"""The only code that calls NEST: the builder and what reads the running kernel.

    network.py         Network(plan): setup_kernel, create, connect, simulate; spike
                       recorders, stimuli, SNc drive, plastic synapse routing
    synapse_io.py      reading and writing synapse sets, gathered over MPI ranks
    synapse_set.py     a set of synapses in a canonical order (no NEST)
    kernel.py          NEST version, MPI processes and rank of the running kernel
    nest_extension/    bgmodel's compiled two-port neuron (`python -m
                       bgmodel.simulator.nest_extension` builds it)
Importing this package imports nothing; its modules import NEST (nest_extension and
synapse_set do not).
"""
