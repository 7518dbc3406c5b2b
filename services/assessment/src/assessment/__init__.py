"""The assessment service: single assessments and section 47 enquiries, the 45-working-day clock,
allocation of a lead practitioner and authorisation by a social-work-qualified manager."""
