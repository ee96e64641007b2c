#!/bin/bash
# Runs once on the managed-services stand-in (from its cloud-init, after the packages): puts the
# files the harness rendered under /root/harness in place and starts every service on them.
set -euo pipefail
H=/root/harness
have() { [ -e "$H/$1" ]; }

install -d -m 0755 /etc/postgresql-harness
if have postgresql.conf; then
  v=$(ls /etc/postgresql)
  install -m 0644 -o postgres -g postgres "$H/pg-server.crt" /etc/postgresql-harness/server.crt
  install -m 0600 -o postgres -g postgres "$H/pg-server.key" /etc/postgresql-harness/server.key
  install -m 0644 -o postgres -g postgres "$H/postgresql.conf" "/etc/postgresql/$v/main/conf.d/harness.conf"
  # Only the trusted sources and loopback: Debian's own lines stay for the local superuser.
  cat "$H/pg_hba.conf" >> "/etc/postgresql/$v/main/pg_hba.conf"
  systemctl restart "postgresql@$v-main"
  runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$(cat "$H/pg-port")" -f - < "$H/roles.sql"
fi
if have pgbouncer.ini; then
  install -m 0640 -o postgres -g postgres "$H/pgbouncer.ini" /etc/pgbouncer/pgbouncer.ini
  install -m 0640 -o postgres -g postgres "$H/userlist.txt" /etc/pgbouncer/userlist.txt
  systemctl enable pgbouncer
  systemctl restart pgbouncer
fi
if have valkey.conf; then
  install -m 0644 -o valkey -g valkey "$H/valkey.crt" /etc/valkey/harness.crt
  install -m 0600 -o valkey -g valkey "$H/valkey.key" /etc/valkey/harness.key
  cat "$H/valkey.conf" >> /etc/valkey/valkey.conf
  systemctl restart valkey-server
fi
if have opensearch.py; then
  install -d -m 0755 /opt/harness
  install -m 0755 "$H/opensearch.py" /opt/harness/opensearch.py
  install -m 0644 "$H/harness-opensearch.service" /etc/systemd/system/harness-opensearch.service
  systemctl daemon-reload
  systemctl enable --now harness-opensearch.service
fi
if have haproxy.cfg; then
  install -m 0644 "$H/haproxy.cfg" /etc/haproxy/haproxy.cfg
  haproxy -c -f /etc/haproxy/haproxy.cfg >/dev/null
  systemctl restart haproxy
fi
if have firewall.nft; then
  install -m 0644 "$H/firewall.nft" /etc/nftables.conf
  systemctl enable --now nftables.service
  systemctl restart nftables.service
fi
touch /root/harness/ready
