#!/usr/bin/env bash
# A throwaway certificate authority for the secured shop (SHOP_SECURITY=mtls)
# and msa-verify's client, made with openssl into $MSAV_TOOLS/pki:
#   ca.crt/ca.key                    the shop's CA (trusted by every service and by msa-verify)
#   <service>.crt/.key               one per shop service, for 127.0.0.1 and localhost,
#                                    usable as server and as client certificate
#   client.crt/.key                  msa-verify's client certificate (CN msa-verify)
#   rogue-ca.crt, rogue-client.*     a second, untrusted CA and a client signed by it (negative tests)
# Idempotent: nothing is done when every file exists and the stamp matches
# this script's PKI_VERSION; otherwise the whole set is made anew in a
# temporary folder and moved in place, so a half-made set is never left.
# Never use these certificates outside tests: their keys live in the work tree.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh"

PKI_VERSION=2
PKI_SERVICES=(gateway orders products delivery identity customers inventory)
dir="$MSAV_TOOLS/pki"

complete() {
  [ "$(cat "$dir/VERSION" 2>/dev/null)" = "$PKI_VERSION" ] || return 1
  local f
  for f in ca client rogue-ca rogue-client "${PKI_SERVICES[@]}"; do
    [ -s "$dir/$f.crt" ] || return 1
  done
}

if complete; then
  exit 0
fi
if ! command -v openssl >/dev/null 2>&1; then
  echo "setup: openssl is missing (install it with: sudo apt-get install openssl); the secured shop's certificates cannot be made" >&2
  exit 3
fi

log "making the test certificate authority and certificates in $dir (openssl)"
mkdir -p "$MSAV_TOOLS"
tmp=$(mktemp -d "$MSAV_TOOLS/pki.new.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; chmod 600 "$1"; }

ca() { # ca NAME SUBJECT
  key "$tmp/$1.key"
  openssl req -x509 -new -key "$tmp/$1.key" -sha256 -days 825 -subj "$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$tmp/$1.crt"
}

leaf() { # leaf NAME CA CN EXTENDED_KEY_USAGE [SAN]
  local name=$1 issuer=$2 cn=$3 eku=$4 san=${5:-}
  key "$tmp/$name.key"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [ -n "$san" ] && echo "subjectAltName=$san"
  } >"$tmp/$name.ext"
  openssl req -new -key "$tmp/$name.key" -subj "/O=msa-verify test/CN=$cn" -out "$tmp/$name.csr"
  openssl x509 -req -in "$tmp/$name.csr" -CA "$tmp/$issuer.crt" -CAkey "$tmp/$issuer.key" \
    -CAcreateserial -days 825 -sha256 -extfile "$tmp/$name.ext" -out "$tmp/$name.crt" 2>/dev/null
  rm -f "$tmp/$name.csr" "$tmp/$name.ext"
}

ca ca "/O=msa-verify test/CN=msa-verify test CA"
for service in "${PKI_SERVICES[@]}"; do
  leaf "$service" ca "$service" serverAuth,clientAuth "DNS:localhost,IP:127.0.0.1,DNS:$service"
done
leaf client ca msa-verify clientAuth
ca rogue-ca "/O=somebody else/CN=untrusted test CA"
leaf rogue-client rogue-ca msa-verify clientAuth
rm -f "$tmp"/*.srl
echo "$PKI_VERSION" >"$tmp/VERSION"

rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
chmod 700 "$dir"
