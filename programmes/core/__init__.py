"""The programmes' pure clinical code: no Django imports, checked with `mypy --strict`.

The exercise library and its cautions, the progression rules and the thresholds they judge by,
the schedule's arithmetic, the charts and triage's programme suggestion; each names its published
source. The Neck Disability Index and the check-in screen carry patient text marked for
translation, so they live beside this package (programmes.ndi, programmes.screen). Services and views in `programmes` read them; nothing here writes.
"""
