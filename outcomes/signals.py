"""What outcomes tells the apps above it, which subscribe in their ready(),
and asks them (checking_variation, below).

`scores_committed(sender=Contract, contract_id, months)`: a rescore of the
contract committed new or removed scores for `months` (first days of the
month, a list). Sent after the rescore's transaction, from the task or
request that ran it; incentives recomputes the draft settlements of the
years that hold those months."""

from django.dispatch import Signal

scores_committed = Signal()

# `checking_variation(sender=Contract, contract, effective_from)`: a variation
# of `contract`'s terms from `effective_from` is about to be proposed or
# accepted. A receiver returns {field: message} for what forbids it (e.g.
# incentives: a signed-off settlement year), or an empty dict.
checking_variation = Signal()
