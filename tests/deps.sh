#!/bin/sh
# deps.sh check|install PKG...: are these Debian packages installed?  With
# install, install the missing ones when root, else print the one command.
mode=$1; shift
missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
[ "$mode" = check ] && exit 1
if [ "$(id -u)" = 0 ]; then
	echo "installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq $missing >/dev/null || exit 1
	exit 0
fi
echo "missing Debian packages; run as root:" >&2
echo "  apt-get update && apt-get install -y$missing" >&2
exit 1
