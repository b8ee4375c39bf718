"""Writes with business rules in outcomes, one module per subject; callers
import the module that holds the write:

- `contract_terms`: a contract's metric terms (thresholds, target, weight),
  versioned by date;
- `submissions`: receiving and storing measurements, the one path every
  submission (browser, API, `import_measurements`) goes through;
- `reviews`: the commissioner's decision on an organisation's data for a
  month (accept, query, unlock);
- `period_locks`: a month's lock belongs to the contract that accepted it:
  which corrections are refused, and the revisions a contract keeps;
- `rebasing`: adding and withdrawing a contract's rebases of an SPC series;
- `rescore`: computing and storing a contract's scores;
- `rescore_requests`: recalculating a contract's scores on request.

Reads stay beside them in outcomes (selectors, querysets, series, charts),
as do the pure computations (scoring, spc, benchmark, validation) and the
helpers the writes share (bulk, locks)."""
