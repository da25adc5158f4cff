"""The Payments Platform backlog, one module per epic, in backlog order."""

from . import checkout, fraud, ledger, payouts, sca

EPICS = (checkout.EPIC, sca.EPIC, payouts.EPIC, fraud.EPIC, ledger.EPIC)
