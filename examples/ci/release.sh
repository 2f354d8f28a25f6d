#!/usr/bin/env bash
# What a CI job runs to release one service with Slipway; the GitHub Actions and GitLab CI files both call it.
#   examples/ci/release.sh SERVICE_DIR [TAG]
# SERVICE_DIR holds recipe.json and slipway.lock. With a TAG (a release tag), the verified artifact is also
# promoted to the set's production channel; without one it stops at staging, where every build lands.
# From the CI's secret store, as environment variables:
#   SLIPWAY_STORE_URL, SLIPWAY_STORE_TOKEN     the store, with the CI's token (it may write, never promote)
#   SLIPWAY_KAFKA                              the broker the build request goes through
#   SLIPWAY_TRUSTED_BUILDER_KEYS               the builders' public keys that `verify` accepts
#   SLIPWAY_RELEASE_URL, SLIPWAY_RELEASE_TOKEN the release service, with an operator token: needed for a TAG only
#   SLIPWAY_CLI                                how to run the CLI (default: slipway on the PATH)
set -euo pipefail
service="${1:?usage: release.sh SERVICE_DIR [TAG]}"
tag="${2:-}"
read -r -a cli <<< "${SLIPWAY_CLI:-slipway}"
slipway() { "${cli[@]}" "$@"; }

# 1. Every pinned dependency into the store: fetched here, never on a builder, only when the store lacks it,
#    refused unless its bytes hash to the pin. The toolchains it names must already be in the store.
slipway import --lock "$service/slipway.lock"

# 2. The build, in a sandbox without network, from the lock's digests and the sources pushed now.
artifact="$(slipway build "$service/recipe.json" --wait --timeout PT20M | cut -d' ' -f1)"
echo "built $artifact"

# 3. Its signed provenance, checked against the builders this job trusts, not just the store's word.
slipway verify "$artifact"

# 4. A release tag promotes it to production; the rollout then runs on the set's hosts by itself.
if [ -n "$tag" ]; then
  set_name="$(sed -n 's/.*"deploymentSet" *: *"\([^"]*\)".*/\1/p' "$service/recipe.json" | head -n 1)"
  slipway promote "$artifact" --set "$set_name" --channel production --yes
  echo "promoted $artifact ($tag) to $set_name/production"
fi
