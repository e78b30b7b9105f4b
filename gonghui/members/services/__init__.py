"""Member workflows, one module per sub-domain: registry, joining, transfer, card, roster, rights."""
