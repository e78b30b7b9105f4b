"""Workflows of the benefits app, one module per sub-domain: partners, campaigns (and coupons),
redemption, lotteries, statistics."""
