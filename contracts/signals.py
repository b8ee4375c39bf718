"""What contracts tells the apps above it, which subscribe in their ready().

`contract_accepted(sender=Contract, contract)`: the provider accepted the
offer, so the contract binds its parties from now on. Sent after the
accepting transaction commits; outcomes scores the contract's months."""

from django.dispatch import Signal

contract_accepted = Signal()
