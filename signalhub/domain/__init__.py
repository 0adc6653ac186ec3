"""Pure rules of the hub: no Kafka, no database, no HTTP."""
