"""Tools for developing and trying newswire (the local Kafka broker), kept out of the services' runtime
path: no service imports this package, so a deployed service never loads the JVM launcher."""
