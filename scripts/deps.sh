#!/bin/sh
# SPDX-License-Identifier: ISC
# deps.sh: make sure the Debian 12 packages senderaudit needs to build, test
# and demo are installed. As root it installs what is missing with apt-get;
# otherwise it prints the exact command and fails.
PKGS="gcc make libjemalloc-dev libopendkim-dev opendkim-tools python3-dkim python3-nacl libc6-dev pkg-config libldns-dev libpsl-dev publicsuffix libcjson-dev libidn2-dev \
libspf2-dev libcurl4-openssl-dev libssl-dev nsd bind9-dnsutils jq mandoc python3 python3-jsonschema python3-dnspython python3-yaml \
clang clang-format libclang-rt-14-dev spfquery openssl strace util-linux bsdutils \
unbound ldnsutils iproute2 mount postfix swaks libnet-ssleay-perl \
libxml2-utils prometheus python3-prometheus-client tidy chromium groff-base man-db bash-completion zsh fish time"
# The format validators of suite_formats.sh: xmllint (libxml2-utils), promtool
# (prometheus; its service is not started by the tests), tidy, headless
# chromium; groff and man for the docs suite; zsh and fish for the
# completions' syntax; GNU time for the peak memory of a batch.
# `deps.sh bench`: also what `make bench` needs.
[ "${1:-}" = bench ] && PKGS="$PKGS libunbound-dev rblcheck spfquery dnsperf bc"

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps: not a Debian system; install the equivalents of: $PKGS" >&2
	exit 1
fi
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
	echo "deps: installing$missing" >&2
	# The tests run Postfix from a configuration directory of their own:
	# the package must not set up (or start) the system's mail service.
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2>/dev/null
	apt-get update -qq >&2 &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2 ||
		{ echo "deps: apt-get failed" >&2; exit 1; }
	# Debian starts services on install where it can; the tests start NSD
	# and Unbound on their own ports. A system resolver the tests do not
	# need is stopped again when this installed it.
	case " $missing " in
	*" unbound "*)
		command -v systemctl >/dev/null 2>&1 &&
			systemctl disable --now unbound.service unbound-resolvconf.service >/dev/null 2>&1
		;;
	esac
	exit 0
fi
echo "deps: missing packages:$missing" >&2
echo "deps: run: sudo apt-get install -y$missing" >&2
exit 1
