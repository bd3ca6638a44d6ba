vcl 4.1;
# masthead behind Varnish (Debian's varnish 7.x): anonymous readers' pages from memory, purged by the site on
# every change; anything for one reader passed to the app. The app decides what may be kept: a response is
# cached only when it carries `Surrogate-Control: max-age=N` (masthead/delivery/edge.py), for `s-maxage`.
#
# Two app nodes here; add one `backend` and one `add_backend` line per node. `make cluster` writes a copy with
# its own ports (the APP_NODE_* lines are replaced).

import directors;
import std;

probe masthead_health {
    # The node answers and reaches its database (masthead/delivery/edge.py: health).
    .request = "GET /edge/health HTTP/1.1"
               "Host: localhost"
               "Connection: close";
    .timeout = 2s;
    .interval = 1s;
    .window = 3;
    .threshold = 2;
    .initial = 2;
}

backend app1 { .host = "127.0.0.1"; .port = "8001"; .probe = masthead_health; .connect_timeout = 1s; .first_byte_timeout = 30s; } # APP_NODE_1
backend app2 { .host = "127.0.0.1"; .port = "8002"; .probe = masthead_health; .connect_timeout = 1s; .first_byte_timeout = 30s; } # APP_NODE_2

# Who may PURGE and BAN: the app nodes. Add their addresses when they run on other machines.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_init {
    new nodes = directors.round_robin();
    nodes.add_backend(app1);
    nodes.add_backend(app2);
}

sub vcl_recv {
    set req.backend_hint = nodes.backend();

    # Wagtail's frontend cache (HTTP backend): one address, every variant.
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed"));
        }
        return (purge);
    }
    # masthead/delivery/edge_purge.py: every address matching a regular expression (lists, query variants,
    # everything). Lurker-friendly: it tests only what is stored on the object.
    if (req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed"));
        }
        if (!req.http.X-Ban-Url) {
            return (synth(400, "X-Ban-Url missing"));
        }
        ban("obj.http.x-url ~ " + req.http.X-Ban-Url);
        return (synth(200, "Banned"));
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);  # posts, votes, sign-in: always the app
    }
    if (req.http.Authorization) {
        return (pass);
    }
    # A signed-in reader, a session (a guest's notice after posting), a metered reader: their own page.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|masthead_meter)=") {
        return (pass);
    }
    # A reader's own token for a shared page's forms: with their CSRF cookie, so that it stays the same.
    if (req.url ~ "^/edge/") {
        return (pass);
    }
    # Any other cookie (the CSRF cookie, analytics) does not change the page: the app fills tokens by a fetch.
    unset req.http.Cookie;

    # While the nodes are healthy, a page past its time is served at most 30 s while a new one is fetched;
    # when none is, whatever is kept (up to beresp.grace) is served rather than an error.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 30s;
    }
    return (hash);
}

sub vcl_backend_fetch {
    if (bereq.retries > 0) {
        set bereq.backend = nodes.backend();  # the next node
    }
}

sub vcl_backend_response {
    # For bans: what the object was stored under.
    set beresp.http.x-url = bereq.url;

    if (beresp.status >= 500 && beresp.status != 501) {
        if (bereq.retries < 1 && (bereq.method == "GET" || bereq.method == "HEAD")) {
            return (retry);
        }
        if (bereq.is_bgfetch) {
            return (abandon);  # keep serving the stale copy
        }
    }
    if (bereq.uncacheable) {
        return (deliver);
    }
    if (beresp.http.Surrogate-Control ~ "max-age=[1-9]" && !beresp.http.Set-Cookie) {
        # The TTL comes from s-maxage; the copy is kept a day past it for when no node answers.
        set beresp.grace = 24h;
        unset beresp.http.Surrogate-Control;
        return (deliver);
    }
    if (bereq.url ~ "^/static/" && beresp.status == 200) {
        return (deliver);  # hashed static files, by their own Cache-Control
    }
    # Anything the app did not mark shareable is never kept.
    set beresp.uncacheable = true;
    set beresp.ttl = 120s;
    return (deliver);
}

sub vcl_backend_error {
    # A node that died mid-request, or refused the connection: try another before answering 503.
    if (bereq.retries < 2 && (bereq.method == "GET" || bereq.method == "HEAD")) {
        return (retry);
    }
}

sub vcl_deliver {
    unset resp.http.x-url;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
