"""Plotting: figure functions that read run folders (never NEST)."""
