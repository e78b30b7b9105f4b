"""Workflows of the benefits app, one module per sub-domain: partners, campaigns (and coupons),
redemption, lotteries. The read queries are in ../selectors.py, the cockpit feed in ../stats.py."""
