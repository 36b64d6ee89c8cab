"""Member analytics: new and returning buyers, cohorts, RFM segments."""
