#!/usr/bin/env bash
# A small certificate authority for livemig's mutual TLS (openssl only).
#
#   pki.sh init DIR                                  make the CA: DIR/ca.pem, DIR/ca.key
#   pki.sh issue DIR NAME [--ip IP]... [--dns NAME]...
#                                                    issue DIR/NAME.pem and DIR/NAME.key
#
# Keys are EC P-256, PKCS#8 PEM, mode 0600. A certificate has CN=NAME (the identity livemig's
# allow lists name), subjectAltName DNS:NAME plus the --ip/--dns given (clients check the server's
# address against these), extendedKeyUsage serverAuth and clientAuth (every agent is both a
# server and a client of its peers), and is valid for 825 days (the CA: 3650 days).
#
# Idempotent: init keeps an existing CA; issue keeps an existing NAME.pem that this CA signed.
# Remove NAME.pem to issue it again (with other SANs, say).
#
# Identities: an agent's is its host name as in the cluster file; the orchestrator's is
# "orchestrator"; operators use any other name listed in the agents' and orchestrator's allow.
#
# Exit codes: 0 done; 2 bad usage; 3 openssl failed.
set -euo pipefail

usage() { echo "pki.sh: $* (usage: pki.sh init DIR | pki.sh issue DIR NAME [--ip IP]... [--dns NAME]...)" >&2; exit 2; }
die() { echo "pki.sh: $*" >&2; exit 3; }

CA_DAYS=3650
CERT_DAYS=825

command -v openssl >/dev/null || die "openssl not found"

new_key() { # file
  (umask 077; openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null) \
    || die "cannot make key $1"
  chmod 0600 "$1"
}

cmd_init() {
  [ $# -eq 1 ] || usage "init takes exactly one argument: DIR"
  local dir=$1
  mkdir -p "$dir" || die "cannot create $dir"
  if [ -f "$dir/ca.pem" ] && [ -f "$dir/ca.key" ]; then
    echo "pki.sh: CA exists: $dir/ca.pem" >&2
    return 0
  fi
  [ ! -f "$dir/ca.pem" ] && [ ! -f "$dir/ca.key" ] || die "$dir has only one of ca.pem and ca.key; remove it to start over"
  new_key "$dir/ca.key"
  openssl req -new -x509 -key "$dir/ca.key" -sha256 -days "$CA_DAYS" -subj "/CN=livemig CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$dir/ca.pem" 2>/dev/null || die "cannot make $dir/ca.pem"
  echo "pki.sh: CA made: $dir/ca.pem" >&2
}

cmd_issue() {
  [ $# -ge 2 ] || usage "issue needs DIR and NAME"
  local dir=$1 name=$2
  shift 2
  [[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || usage "NAME must be letters, digits, '.', '_' or '-', got '$name'"
  local sans="DNS:$name"
  while [ $# -gt 0 ]; do
    case $1 in
      --ip) [ $# -ge 2 ] || usage "--ip needs an address"
            [[ $2 =~ ^[0-9a-fA-F:.]+$ ]] || usage "--ip: not an IP address: '$2'"
            sans+=",IP:$2"; shift 2 ;;
      --dns) [ $# -ge 2 ] || usage "--dns needs a name"
             [[ $2 =~ ^[A-Za-z0-9*][A-Za-z0-9.*-]*$ ]] || usage "--dns: not a DNS name: '$2'"
             sans+=",DNS:$2"; shift 2 ;;
      *) usage "unknown argument '$1'" ;;
    esac
  done
  [ -f "$dir/ca.pem" ] && [ -f "$dir/ca.key" ] || usage "no CA in $dir: run 'pki.sh init $dir' first"
  if [ -f "$dir/$name.pem" ] && [ -f "$dir/$name.key" ] \
      && openssl verify -CAfile "$dir/ca.pem" "$dir/$name.pem" >/dev/null 2>&1; then
    echo "pki.sh: certificate exists: $dir/$name.pem" >&2
    return 0
  fi
  local ext csr
  ext=$(mktemp) csr=$(mktemp)
  trap 'rm -f "$ext" "$csr"' RETURN
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=%s\n' \
    "$sans" >"$ext"
  new_key "$dir/$name.key"
  openssl req -new -key "$dir/$name.key" -subj "/CN=$name" -out "$csr" 2>/dev/null || die "cannot make a request for $name"
  openssl x509 -req -in "$csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -sha256 -days "$CERT_DAYS" \
    -extfile "$ext" -out "$dir/$name.pem" 2>/dev/null || die "cannot sign $dir/$name.pem"
  echo "pki.sh: issued $dir/$name.pem ($sans)" >&2
}

[ $# -ge 1 ] || usage "no command"
cmd=$1
shift
case $cmd in
  init) cmd_init "$@" ;;
  issue) cmd_issue "$@" ;;
  -h|--help|help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' ;;
  *) usage "unknown command '$cmd'" ;;
esac
