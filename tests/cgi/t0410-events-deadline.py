# t0410-events-deadline.py: the checks of t0410-events-deadline.sh
# (what they test: its header comment), run by it once its set-up is done.
import fcntl, os, subprocess, time
from push_client import ok, is_, diag, done

def events(env, stdout, last_event_id="0"):
    e = dict(os.environ, REQUEST_METHOD="GET", GATEWAY_INTERFACE="CGI/1.1",
             HTTP_LAST_EVENT_ID=last_event_id, **env)
    return subprocess.Popen([os.environ["EVENTS_FCGI"]], env=e,
                            stdin=subprocess.DEVNULL, stdout=stdout,
                            stderr=subprocess.PIPE)

# The attack: a client that stops reading. The web server's pipe fills
# (one page here) and, without a deadline, the write blocks for ever and
# the process with it; the account's process limit is soon reached.
r, w = os.pipe()
fcntl.fcntl(w, 1031, 4096)  # F_SETPIPE_SZ: one page
t0 = time.time()
p = events({"STRAPI_LIVE_EVENTS_DURATION": "60",
            "STRAPI_LIVE_EVENTS_CGI_DURATION": "60",
            "STRAPI_LIVE_EVENTS_STREAM_BYTES": "10000000",
            "STRAPI_LIVE_EVENTS_WRITE_TIMEOUT": "1"}, w)
os.close(w)
try:
    p.wait(10)
except subprocess.TimeoutExpired:
    p.kill()
    p.wait()
took = time.time() - t0
err = p.stderr.read().decode(errors="replace")
os.close(r)
diag("unread stream ended after %.1f s" % took)
ok(took < 5, "a stream nobody reads ends by the write deadline (1 s), not at 60 s")
ok("write not taken within 1000 ms" in err, "the log says why")

# Short streams by default under CGI: events_duration is 25 s, but a CGI
# stream (a process of the account) lasts events_cgi_duration (5 s).
t0 = time.time()
p = events({"STRAPI_LIVE_EVENTS_STREAM_BYTES": "10000000"}, subprocess.PIPE,
           last_event_id="15")
out = p.communicate(timeout=30)[0].decode(errors="replace")
took = time.time() - t0
diag("CGI stream lasted %.1f s" % took)
ok(4 <= took < 10, "a CGI stream ends after about 5 s by default, not 25 s")
ok(out.rstrip().endswith("retry: 500"), "and ends with a retry hint")

# A byte bound per stream: the client resumes where it ended.
p = events({"STRAPI_LIVE_EVENTS_STREAM_BYTES": "4096"}, subprocess.PIPE)
out = p.communicate(timeout=30)[0].decode(errors="replace")
body = out.split("\r\n\r\n", 1)[1]
ids = [int(l[4:]) for l in body.split("\n") if l.startswith("id: ")]
diag("stream of %d bytes, ids %r" % (len(body), ids))
ok(len(body) < 4096 + 21000, "a stream stops after events_stream_bytes (plus one event)")
ok(ids and ids == list(range(1, len(ids) + 1)) and len(ids) < 15,
   "with the first changes, in order")
ok(body.rstrip().endswith("retry: 500"), "and a retry hint")
p = events({"STRAPI_LIVE_EVENTS_STREAM_BYTES": "10000000",
            "STRAPI_LIVE_EVENTS_CGI_DURATION": "1"}, subprocess.PIPE,
           last_event_id=str(ids[-1]))
out = p.communicate(timeout=30)[0].decode(errors="replace")
more = [int(l[4:]) for l in out.split("\n") if l.startswith("id: ")]
is_(ids + more, list(range(1, 16)), "resuming from the last id gets the rest")
done()
