"""Settlement statements: lines, issuing, actions, reconciliation."""
