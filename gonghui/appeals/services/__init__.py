"""Workflows of the 12351 appeals app, one module per sub-domain: intake (submit, hotline calls,
repeats, claimants, attachments), handling (accept, assign, escalate, transfer, supervise, close,
rate, reopen, follow-up), deadlines (limits, warnings, the overdue sweep) and mediation."""
