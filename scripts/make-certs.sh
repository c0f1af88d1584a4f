#!/usr/bin/env bash
# Makes the certificates for TLS distribution (`-proto_dist inet_tls`) tests and examples:
#   DIR/ca.pem, DIR/ca-key.pem          a CA
#   DIR/node.pem, DIR/node-key.pem      a node certificate signed by it, for both TLS roles
#                                       (an Erlang node is the server of the connections it
#                                       accepts and the client of the ones it makes)
#   DIR/other-ca.pem, DIR/other.pem, DIR/other-key.pem
#                                       another CA and a node certificate signed by it: a peer
#                                       the first CA does not know
# The node certificates name localhost, 127.0.0.1, ::1, this machine's host name and every
# HOST_OR_IP given, in their subjectAltName. Keys are EC P-256, unencrypted.
# Usage: scripts/make-certs.sh DIR [HOST_OR_IP...]
set -euo pipefail
if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  echo "usage: $0 DIR [HOST_OR_IP...]" >&2
  exit 2
fi
command -v openssl >/dev/null || { echo "$0: openssl is not installed" >&2; exit 1; }
dir=$1
shift
mkdir -p "$dir"

san="DNS:localhost,IP:127.0.0.1,IP:::1"
host=$(hostname -s 2>/dev/null || hostname)
[ -n "$host" ] && san="$san,DNS:$host"
for name in "$@"; do
  if [[ $name =~ ^[0-9.]+$ || $name == *:* ]]; then san="$san,IP:$name"; else san="$san,DNS:$name"; fi
done

days=825
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

ca() {  # ca NAME SUBJECT
  key "$dir/$1-key.pem"
  openssl req -x509 -new -key "$dir/$1-key.pem" -sha256 -days "$days" -subj "$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$dir/$1.pem"
}

leaf() {  # leaf NAME CA SUBJECT
  local ext
  ext=$(mktemp)
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=$san" >"$ext"
  key "$dir/$1-key.pem"
  openssl req -new -key "$dir/$1-key.pem" -subj "$3" -out "$dir/$1.csr"
  openssl x509 -req -in "$dir/$1.csr" -CA "$dir/$2.pem" -CAkey "$dir/$2-key.pem" -CAcreateserial \
    -sha256 -days "$days" -extfile "$ext" -out "$dir/$1.pem" 2>/dev/null
  rm -f "$ext" "$dir/$1.csr" "$dir/$2.srl"
}

ca ca "/CN=erlbridge test CA"
leaf node ca "/CN=${host:-localhost}"
ca other-ca "/CN=erlbridge other CA"
leaf other other-ca "/CN=${host:-localhost}"
chmod 600 "$dir"/*-key.pem
echo "certificates in $dir (subjectAltName $san)"
