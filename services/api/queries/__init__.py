"""Read models of the workplace: case lists and detail, statistics, audit, dead letters."""
