#!/usr/bin/env bash
# Least privilege per service principal. Run once with an admin's client config:
#   KAFKA=/opt/kafka ADMIN=/etc/kafka/admin.properties BOOTSTRAP=kafka-1.internal:9093 ./kafka-acls.sh
set -euo pipefail
acl() { "$KAFKA/bin/kafka-acls.sh" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN" --add "$@"; }

# cas-service: reads artifacts and commands, writes deployables, artifacts (rejections) and dead letters,
# transactionally.
acl --allow-principal User:slipway-cas --operation Read --topic slipway.artifacts --topic slipway.commands
acl --allow-principal User:slipway-cas --operation Write --topic slipway.deployables --topic slipway.artifacts \
    --topic slipway.commands --topic slipway.artifacts.dlq --topic slipway.commands.dlq
acl --allow-principal User:slipway-cas --operation Read --group cas-service
acl --allow-principal User:slipway-cas --operation Write --operation Describe --transactional-id cas-service- \
    --resource-pattern-type prefixed

# build-service: reads build requests, writes build events and artifacts.
acl --allow-principal User:slipway-build --operation Read --topic slipway.builds
acl --allow-principal User:slipway-build --operation Write --topic slipway.builds --topic slipway.artifacts \
    --topic slipway.builds.dlq
acl --allow-principal User:slipway-build --operation Read --group build-service

# release-service: reads everything, writes commands, the rollouts log (the relay) and dead letters.
for topic in builds artifacts deployables rollouts agents commands; do
  acl --allow-principal User:slipway-release --operation Read --topic "slipway.$topic"
  acl --allow-principal User:slipway-release --operation Write --topic "slipway.$topic.dlq"
done
acl --allow-principal User:slipway-release --operation Write --topic slipway.commands --topic slipway.rollouts
acl --allow-principal User:slipway-release --operation Read --group release-service- --resource-pattern-type prefixed

# Agents (one principal per fleet, or per set): read deployables and the rollouts log, append to the log,
# publish their state. They use manual assignment: no consumer group.
acl --allow-principal User:slipway-agent --operation Read --topic slipway.deployables --topic slipway.rollouts
acl --allow-principal User:slipway-agent --operation Write --topic slipway.rollouts --topic slipway.agents

# CI jobs (the slipway command): request builds and follow them.
acl --allow-principal User:slipway-ci --operation Write --topic slipway.builds
acl --allow-principal User:slipway-ci --operation Read --topic slipway.builds --topic slipway.artifacts
