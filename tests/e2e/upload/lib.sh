# Shared by tests/e2e/upload_*.sh: a private network namespace, a test CA,
# a server certificate for localhost, nginx with WebDAV, a policy.
# Sourced after tests/e2e/lib/e2e.sh (T, ok, bad).

# Test CA + server cert (localhost, 127.0.0.1) + an unrelated CA.
make_pki() {
    ( cd "$T" &&
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout ca.key -out ca.pem -days 2 -subj /CN=recgate-test-ca 2>/dev/null &&
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout srv.key -out srv.csr -subj /CN=localhost 2>/dev/null &&
      printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.ext &&
      openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
        -out srv.pem -days 2 -extfile san.ext 2>/dev/null &&
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout other.key -out other.pem -days 2 -subj /CN=other-ca 2>/dev/null )
}

# nginx on 127.0.0.1:8443: /dav/ (Basic auth), /full/ (PUT -> 507),
# /err/ (PUT -> 503), /slow/ (replies at 8 KB/s), /redir/ (307 elsewhere).
start_nginx() {
    mkdir -p "$T/www/dav" "$T/www/full" "$T/www/err" "$T/www/slow" "$T/ngx"
    printf 'recgate:%s\n' "$(openssl passwd -apr1 s3cret-pw)" > "$T/htpasswd"
    printf 's3cret-pw\n' > "$T/dav.pw"; chmod 600 "$T/dav.pw"
    cat > "$T/nginx.conf" <<NGX
daemon off;
user root root;
worker_processes 1;
pid $T/ngx/nginx.pid;
error_log $T/ngx/error.log;
events { worker_connections 64; }
http {
    access_log $T/ngx/access.log;
    client_body_temp_path $T/ngx/body;
    proxy_temp_path $T/ngx/proxy;
    fastcgi_temp_path $T/ngx/fcgi;
    uwsgi_temp_path $T/ngx/uwsgi;
    scgi_temp_path $T/ngx/scgi;
    client_max_body_size 64m;
    server {
        listen 127.0.0.1:8443 ssl;
        ssl_certificate $T/srv.pem;
        ssl_certificate_key $T/srv.key;
        root $T/www;
        location /dav/ {
            auth_basic "recgate";
            auth_basic_user_file $T/htpasswd;
            dav_methods PUT DELETE MKCOL;
            create_full_put_path on;
            dav_access user:rw;
        }
        location /full/ {
            dav_methods MKCOL;
            if (\$request_method = PUT) { return 507; }
        }
        location /err/ { return 503; }
        location /redir/ { return 307 https://elsewhere.example:8443/x; }
        location /slow/ {
            dav_methods PUT DELETE MKCOL;
            create_full_put_path on;
            limit_rate 8k;
        }
    }
}
NGX
    nginx -c "$T/nginx.conf" -e "$T/ngx/error.log" &
    NGINX=$!
    i=0
    until curl -s -o /dev/null --cacert "$T/ca.pem" https://localhost:8443/err/; do
        sleep 0.1; i=$((i + 1)); [ $i -gt 50 ] && { echo "nginx did not start"; cat "$T/ngx/error.log"; return 1; }
    done
    return 0
}

stop_nginx() {
    [ -n "${NGINX:-}" ] && kill "$NGINX" 2>/dev/null && wait "$NGINX" 2>/dev/null
    NGINX=
}

# policy FILE DESTS_JSON [EXTRA_UPLOAD_JSON]: the shipped policy plus a short
# meeting type, vault/audit keys and an upload section.
make_policy() {
    jq --arg key "$T/audit.key" --arg rcpt "$ORG" --argjson dests "$2" \
       --argjson extra "${3:-{\}}" '
      .meeting_types.quick = {legal_basis: "opt_out", window_s: 10,
        retention_days: 30, language: "da", purpose: "test"} |
      .vault = {recipients: [$rcpt], segment_s: 1} |
      .audit = {key_file: $key} |
      .upload = ({destinations: $dests, wait_at_end_s: 20, retry_max_s: 2} + $extra)' \
      "$TOP/config/recgate.json" > "$1"
}

# scenario FILE END_S
make_scenario() {
    cat > "$1" <<SC
{ "meeting": { "id": "m-up", "type": "quick" },
  "events": [
    { "at": 0, "join": "alice", "role": "host" },
    { "at": 0, "join": "bob" },
    { "at": $2, "end": true } ] }
SC
}

# check_remote RECDIR ROOT: every sealed segment, the manifest, recording.json
# and audit.log are byte-identical under ROOT/<recording id>/; keyring not.
check_remote() {
    rec=$1; root=$2/$(basename "$1"); n=0; miss=0
    for f in "$rec"/tracks/*/[0-9]*.age "$rec"/manifest.json.age "$rec"/recording.json "$rec"/audit.log; do
        [ -f "$f" ] || continue
        rel=${f#"$rec"/}
        if cmp -s "$f" "$root/$rel"; then n=$((n + 1)); else miss=$((miss + 1)); echo "    differs/missing: $rel"; fi
    done
    echo "    $n files identical remotely, $miss not"
    [ -d "$root/keyring" ] && { echo "    keyring/ was uploaded"; return 1; }
    [ "$n" -gt 3 ] && [ "$miss" -eq 0 ]
}
