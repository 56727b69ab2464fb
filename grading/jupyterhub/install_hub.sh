#!/usr/bin/env bash
# What the course's JupyterHub needs beyond the Python environment BIN ($1, e.g. .venv/bin), which
# already holds JupyterHub (requirements.lock):
# * npm's configurable-http-proxy, JupyterHub's proxy (the one its docs and zero-to-jupyterhub use),
#   in BIN; it needs Node.js: without node, as root with apt-get, Debian's nodejs and npm come first;
# * `setfacl` (Debian's acl): when the environment's Python lives in a private folder (a pyenv under
#   /root), `python -m pageturn.grading.hub` lets the hub's accounts, and only them, pass through it.
# Idempotent: does nothing when everything is there.
set -euo pipefail
BIN="$(cd "$1" && pwd)"
PREFIX="$(dirname "$BIN")/node"
apt_install() {
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
        echo "hub: installing Debian's $*"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
    else
        echo "hub: $* needed; install it, or run as root" >&2
        exit 1
    fi
}
command -v setfacl >/dev/null || apt_install acl
if [ -x "$PREFIX/node_modules/.bin/configurable-http-proxy" ] && [ -L "$BIN/configurable-http-proxy" ]; then
    exit 0
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt_install nodejs npm
fi
# configurable-http-proxy 5 needs Node 20 or later; 4.6 runs on older Node (Debian 12 ships 18).
major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" -ge 20 ]; then version=5.3.0; else version=4.6.3; fi
echo "hub: installing configurable-http-proxy@$version from npm (node $(node --version))"
npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error "configurable-http-proxy@$version" >/dev/null
ln -sf "$PREFIX/node_modules/.bin/configurable-http-proxy" "$BIN/configurable-http-proxy"
