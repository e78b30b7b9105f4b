"""The real-name member registry: members, joining, transfer, e-card, roster import/export, PIPL rights."""
