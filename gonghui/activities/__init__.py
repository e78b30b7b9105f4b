"""活动: events with quota, waitlist, QR check-in and ratings."""
