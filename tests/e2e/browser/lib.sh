# Browser participants for e2e tests: serve the stock Janus demo pages
# (Debian janus-demos) over http on 127.0.0.1, with a settings.js that works
# on loopback. Sourced INSIDE the test's network namespace, after
# tests/e2e/janus/lib.sh (JANUS_URL).
#   demos_start DIR [PORT]   nginx on 127.0.0.1:PORT (default 8080); sets DEMOS_URL
#   demos_stop
#   BROWSER_PART             node participant.mjs (see its header for the CLI)
DEMOS=/usr/share/janus/demos
BROWSER_PART="node $TOP/tests/e2e/browser/participant.mjs"
export NPM_DIR="$TOP/.deps/npm"

demos_start() {
    ddir=$1; dport=${2:-8080}
    [ -f "$DEMOS/videoroomtest.html" ] || { echo "FAIL: janus-demos is not installed (make deps)"; return 1; }
    [ -f "$NPM_DIR/node_modules/puppeteer-core/package.json" ] ||
        { echo "FAIL: puppeteer-core is not installed (make deps)"; return 1; }
    mkdir -p "$ddir/ngx"
    # Debian's settings.js never declares token/apisecret (ReferenceError at
    # Start) and wants STUN, which a loopback-only namespace cannot reach.
    printf 'var server = "%s";\nvar iceServers = [];\nvar token = null;\nvar apisecret = null;\n' \
        "$JANUS_URL" > "$ddir/settings.js"
    cat > "$ddir/nginx.conf" <<NGX
daemon off;
user root root;
worker_processes 1;
pid $ddir/ngx/nginx.pid;
error_log $ddir/ngx/error.log;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path $ddir/ngx/body;
    proxy_temp_path $ddir/ngx/proxy;
    fastcgi_temp_path $ddir/ngx/fcgi;
    uwsgi_temp_path $ddir/ngx/uwsgi;
    scgi_temp_path $ddir/ngx/scgi;
    server {
        listen 127.0.0.1:$dport;
        root $DEMOS;
        location = /settings.js { alias $ddir/settings.js; }
    }
}
NGX
    nginx -c "$ddir/nginx.conf" -e "$ddir/ngx/error.log" &
    DEMOS_PID=$!
    DEMOS_URL="http://127.0.0.1:$dport"
    i=0
    while [ $i -lt 50 ]; do
        curl -sf -m 1 -o /dev/null "$DEMOS_URL/settings.js" && return 0
        sleep 0.1; i=$((i + 1))
    done
    echo "FAIL: nginx did not serve the demo pages ($ddir/ngx/error.log)"; return 1
}

demos_stop() {
    [ -n "${DEMOS_PID:-}" ] || return 0
    kill "$DEMOS_PID" 2>/dev/null; wait "$DEMOS_PID" 2>/dev/null; DEMOS_PID=
}
