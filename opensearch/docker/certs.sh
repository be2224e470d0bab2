#!/bin/sh
# One-shot (the `certs` service of docker-compose.yml): a private CA, the OpenSearch node's
# certificate and the admin client certificate, written once into the `certs` volume.
# Why our own and not the image's demo certificates: those keys are public, so TLS with them
# verifies nothing. Existing files are kept, so restarts do not rotate the CA under clients.
#   certs.sh DIR [NODE_HOSTNAME]
set -eu
dir="$1"; host="${2:-opensearch}"
days=825
mkdir -p "$dir"
cd "$dir"
if [ -f root-ca.pem ] && [ -f node.pem ] && [ -f admin.pem ]; then
  echo "certs: already in $dir"; exit 0
fi
subj="/O=micro-genre-miner"
openssl genrsa -out root-ca-key.pem 3072 2>/dev/null
openssl req -x509 -new -key root-ca-key.pem -sha256 -days "$days" -subj "$subj/CN=mgm-root-ca" -out root-ca.pem
# $1 name, $2 subject CN, $3 extensions
issue() {
  openssl genrsa -out "$1-rsa.pem" 3072 2>/dev/null
  # The security plugin reads PKCS#8 keys only.
  openssl pkcs8 -topk8 -nocrypt -in "$1-rsa.pem" -out "$1-key.pem"
  rm -f "$1-rsa.pem"
  openssl req -new -key "$1-key.pem" -subj "$subj/CN=$2" -out "$1.csr"
  printf '%s\n' "$3" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA root-ca.pem -CAkey root-ca-key.pem -CAcreateserial -sha256 -days "$days" \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
issue node "$host" "subjectAltName=DNS:$host,DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth,clientAuth"
issue admin mgm-admin "extendedKeyUsage=clientAuth"
rm -f root-ca-key.pem root-ca.srl  # nothing may sign more certificates
# OpenSearch runs as uid 1000, the app image as uid 10001: each reads what it needs.
chmod 0644 root-ca.pem node.pem admin.pem
chmod 0640 node-key.pem admin-key.pem
chown 1000:1000 node-key.pem 2>/dev/null || true
chown 10001:1000 admin-key.pem 2>/dev/null || true
echo "certs: CA, node ($host) and admin certificates written to $dir"
