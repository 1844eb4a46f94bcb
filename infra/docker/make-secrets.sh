#!/bin/sh
# docker-compose: the stack's credentials, as infra/stack.sh makes them natively: one random
# password per account under /secrets (a named volume), made once and kept.
set -eu
umask 077
mkdir -p /secrets/kafka
for name in kafka/admin kafka/gateway kafka/fanout kafka/notary kafka/loader kafka/dr kafka/settlement kafka/webhooks \
            kafka/broker kafka/controller redis clickhouse; do
  f="/secrets/$name.password"
  [ -s "$f" ] || od -An -tx1 -N24 /dev/urandom | tr -d ' \n' > "$f"
done
# The containers run as different users (kafka uid 1000, redis 999, clickhouse 101): let
# them read the files; the volume is mounted only into the stack's own containers.
chmod 755 /secrets /secrets/kafka && chmod 644 /secrets/*.password /secrets/kafka/*.password
