"""A case's chronology: what it is made of and everything computed from it.

- `entries`: the chronology entry (one row of docs/chronology-format.md) and its types.
- `query`: a case's entries, read from its records in one query.
- `findings`: the findings engine, a pure function of the entries.
- `timeline`: the timeline's rows, lanes and comparisons (page, JSON and PDF).
- `csv_format`: import and export in the interchange format.
"""
