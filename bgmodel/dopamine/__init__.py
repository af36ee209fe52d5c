"""Dopamine models: what the SNc fires in an episode, and how that changes with learning.

One interface (`base.DopamineModel`), one module per model, chosen by name in the
`dopamine:` section of the configuration (`registry`). Everything in this package is
plain Python and NumPy: no NEST. docs/dopamine.md is the reference.
"""
