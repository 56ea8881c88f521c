#!/usr/bin/env bash
# Helpers of tests/integ/closed_loop.sh (sourced, not run): a private nginx on 127.0.0.1 that
# answers every route with 200 and writes nginx's own "combined" log plus $request_time, the
# independent witness that modeler refits.
set -u
NGINX=${NGINX:-/usr/sbin/nginx}
[ -x "$NGINX" ] || { echo "FAIL: nginx not found at $NGINX (apt-get install nginx)"; exit 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_witness DIR [realip] [WS_UPSTREAM] -> sets PORT, TARGET, NGINX_PID; the log is
# DIR/access.log. With "realip" nginx logs the X-Forwarded-For client of its 127.0.0.0/8
# peers (as behind a load balancer); without, the peer's address (a --source-addrs
# rehearsal). With WS_UPSTREAM (HOST:PORT, the shop), /ws/ is proxied there as WebSockets,
# and nginx logs each at close: 101 and $request_time = its duration.
start_witness() {
  local d=$1 realip="" ws="location /ws/ { return 200 \"ok\"; }"
  [ "${2:-}" = realip ] && realip="set_real_ip_from 127.0.0.0/8; real_ip_header X-Forwarded-For;"
  [ -n "${3:-}" ] && ws="location /ws/ { proxy_pass http://$3; proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade; proxy_set_header Connection upgrade;
      proxy_set_header X-Forwarded-For \$remote_addr; proxy_read_timeout 600s; }"
  PORT=$(free_port)
  TARGET=http://127.0.0.1:$PORT
  mkdir -p "$d/logs" "$d/www/static"
  local user_line=""
  [ "$(id -u)" = 0 ] && user_line="user root;"
  cat >"$d/nginx.conf" <<CONF
$user_line
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 8192; }
http {
  log_format combined_rt '\$remote_addr - \$remote_user [\$time_local] "\$request" \$status '
                         '\$body_bytes_sent "\$http_referer" "\$http_user_agent" \$request_time';
  access_log $d/access.log combined_rt;
  $realip
  keepalive_requests 1000000;
  client_body_temp_path $d/body;
  proxy_temp_path $d/proxy;
  fastcgi_temp_path $d/fcgi;
  uwsgi_temp_path $d/uwsgi;
  scgi_temp_path $d/scgi;
  server {
    listen 127.0.0.1:$PORT;
    location ~ \.(js|css|png|jpg|svg|woff2?|ico)\$ { return 200 "/* asset */"; }
    location / { return 200 "ok"; }
    $ws
  }
}
CONF
  "$NGINX" -p "$d" -c "$d/nginx.conf" &
  NGINX_PID=$!
  for _ in $(seq 50); do
    curl -s -o /dev/null "$TARGET/__ready" && break
    sleep 0.1
  done
  curl -s -o /dev/null "$TARGET/__ready" || { echo "FAIL: nginx did not start (see $d/logs/error.log)"; exit 1; }
  sleep 0.2
  : >"$d/access.log"
}

# ws_clients LOG PREFIX -> "SOCKETS ADDRESSES USER_AGENTS UNMATCHED LOOPBACK" over the lines
# of a combined log whose path starts with PREFIX (the WebSocket handshakes): how many, how
# many distinct client addresses and User-Agents, how many have an (address, User-Agent) pair
# that no other (HTTP) line of the log has (a socket that is not its session's client), and
# how many come from 127.0.0.1 (replay's own address: no client identity at all).
ws_clients() {
  awk -v pre="$2" '{
    split($0, q, "\""); split(q[2], r, " "); key = $1 " " q[6]
    if (index(r[2], pre) == 1) { ws++; wsk[key]++; wa[$1]; wu[q[6]]; if ($1 == "127.0.0.1") lo++ }
    else http[key]
  } END {
    for (k in wsk) if (!(k in http)) un += wsk[k]
    for (a in wa) na++
    for (u in wu) nu++
    print ws + 0, na + 0, nu + 0, un + 0, lo + 0
  }' "$1"
}
