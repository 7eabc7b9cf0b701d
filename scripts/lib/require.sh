# Shared by scripts/test.sh and scripts/demo.sh: make sure a command exists, installing its Debian
# package with apt-get when we are root, else saying exactly what to install.
# Usage: require <command> <debian-package> [why]

_tether_apt_updated=0

require() {
  local cmd=$1 pkg=$2 why=${3:-}
  if command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || [ -x "/sbin/$cmd" ]; then
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo ">> installing $pkg (for $cmd${why:+: $why})"
    if [ "$_tether_apt_updated" = 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
      _tether_apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null
    command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || {
      echo "!! installed $pkg but $cmd is still missing" >&2
      exit 1
    }
    return 0
  fi
  echo "!! $cmd is missing${why:+ ($why)}. Install the Debian package '$pkg':" >&2
  echo "     sudo apt-get install $pkg" >&2
  exit 1
}

# HAProxy is started by the tests themselves; make sure no packaged service holds ports or the
# binary's default config in a way that matters. We only need the binary.
tether_paths() {
  export PATH="$PATH:/usr/sbin:/sbin"
}

# Like require, but a missing command is only reported: the caller goes on without it.
# Returns 1 if the command is still missing.
want() {
  local cmd=$1 pkg=$2 why=${3:-}
  if command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || [ -x "/sbin/$cmd" ]; then
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (require "$cmd" "$pkg" "$why") && return 0
  fi
  echo ">> $cmd is missing${why:+ ($why)}; going on without it. To include it: sudo apt-get install $pkg" >&2
  return 1
}
