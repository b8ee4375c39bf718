"""Writes for performance dialogues, each checking who may make it
(dialogues.permissions) and the input, and saving nothing when a check fails.
One module per subject; callers import the module that holds the write:

- `meetings`: meeting series and the meetings generated from them, contract
  management meetings from notices;
- `minutes`: attendance, minutes and decisions of a meeting;
- `actions`: the action log (log, raise, edit, change status) and milestones;
  `actions.raise_action` is the entry point for other parts of Concord
  (incentive support plans) that need an action tracked in a network's
  dialogues;
- `evidence`: evidence on an action, and the checks an evidence file passes;
- `escalation`: overdue actions moved up to the next meeting;
- `common`: what several of them share (a meeting's local day and whether it
  has started, which organisations and people take part)."""
