"""Fictional data for trying and measuring casereview: the demo caseload (`demo`, loaded by
`manage.py load_demo`) and the national-scale generator (`scale`, `manage.py seed_scale`).

Not part of the domain: nothing outside the two commands, the benchmark scripts and the
tests imports it. Every name in it is invented.
"""
