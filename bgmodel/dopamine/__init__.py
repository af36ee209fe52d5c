"""Dopamine models: what the SNc fires in an episode, and how that changes with learning.

One interface (`base.DopamineModel`), one module per model, chosen by name in the
`dopamine:` section of the configuration (`registry`). Everything in this package is
plain Python and NumPy: no NEST. docs/dopamine.md is the reference.

rule.py is the dopamine of the published runs, which the plasticity protocol uses
today: the configured rules (protocol.dopamine.rules) turn an episode's outcome into a
dopamine event of `snc.events` (burst, dip) or none, `RuleDopamine.event(outcome)`.
It predates `base.DopamineModel`; wiring that interface into the protocol
(docs/dopamine.md, "How it will be wired") replaces it there.
"""
