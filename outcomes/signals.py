"""What outcomes tells the apps above it, which subscribe in their ready().

`scores_committed(sender=Contract, contract_id, months)`: a rescore of the
contract committed new or removed scores for `months` (first days of the
month, a list). Sent after the rescore's transaction, from the task or
request that ran it; incentives recomputes the draft settlements of the
years that hold those months."""

from django.dispatch import Signal

scores_committed = Signal()
