#!/usr/bin/env bash
# The official image's healthcheck command, standing in: the broker accepts connections on its listener
# (the tool behind the real script, kafka-tools, is not among the broker's jars).
exec 3<>/dev/tcp/127.0.0.1/9092
