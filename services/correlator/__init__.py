"""correlator: events from many articles grouped into incidents, one per real-world occurrence."""
