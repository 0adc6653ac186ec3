"""What users do to cases: each action a case event, an audit entry and, where DESIGN says, an alert."""
