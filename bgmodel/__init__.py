"""bgmodel: the topological basal ganglia model with dopamine-modulated STDP on NEST 3."""

__version__ = "0.1.0"
