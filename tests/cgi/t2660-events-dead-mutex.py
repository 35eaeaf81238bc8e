# t2660-events-dead-mutex.py: the checks of t2660-events-dead-mutex.sh
# (what they test: its header comment), run by it once its set-up is done.
import os, subprocess, time
from push_client import diag, done, is_, ok, verify_clean, wait_for

def events(last_event_id, duration):
    e = dict(os.environ, REQUEST_METHOD="GET", GATEWAY_INTERFACE="CGI/1.1",
             HTTP_LAST_EVENT_ID=last_event_id,
             STRAPI_LIVE_EVENTS_DURATION=duration,
             STRAPI_LIVE_EVENTS_CGI_DURATION=duration)
    return subprocess.Popen([os.environ["EVENTS_FCGI"]], env=e,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)

p = events("3", "60")
first = p.stdout.readline()  # the headers are out: the stream is running
ok(first.startswith(b"Status: 200") or first.startswith(b"Content-Type"),
   "a 60 s stream is running (%r)" % first[:40])
time.sleep(0.5)
st = subprocess.run([os.environ["DIE"], os.environ["STRAPI_LIVE_STORE_DIR"],
                     "txn"], capture_output=True)
is_(st.returncode, -9, "a process was killed inside the store holding the "
    "transaction region's mutex")
t0 = time.time()
ended = wait_for(lambda: p.poll() is not None, 30, 0.1)
took = time.time() - t0
if not ended:
    p.kill()  # blocked for good: what the read watchdog prevents
err = p.communicate()[1].decode(errors="replace")
diag("the stream ended %.1f s after the death" % took)
ok(ended and took < 15, "the stream does not wait for ever on the dead "
   "process's mutex: it ends within 15 s, not at 60 s")
ok("read was stuck" in err, "the log says why")
q = events("0", "2")
out = q.communicate(timeout=60)[0].decode(errors="replace")
ids = [l[4:] for l in out.splitlines() if l.startswith("id: ")]
is_(ids, ["1", "2", "3"], "the next stream reads every change")
verify_clean(os.environ["STRAPI_LIVE"])
done()
