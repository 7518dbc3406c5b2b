"""The referral service: the front door. Children, referrals, partner information requests and
the front-door decision within one working day."""
