# t1960-repl-tunnel.py: the checks of t1960-repl-tunnel.sh
# (what they test: its header comment), run by it once its set-up is done.
import os, signal, socket, subprocess, time
from push_client import article, ok, is_, diag, done, free_port, wait_for
from repl_cluster import Cluster

T = os.environ["T"]


def term(signum, frame):
    raise SystemExit(1)


signal.signal(signal.SIGTERM, term)
signal.signal(signal.SIGHUP, term)


def connects(host, port):
    s = socket.socket()
    s.settimeout(2)
    try:
        return s.connect_ex((host, port)) == 0
    finally:
        s.close()


def log(site, name):
    try:
        with open(os.path.join(site.dir, name)) as f:
            return f.read()
    except OSError:
        return ""


t0 = time.time()
c = Cluster(os.path.join(T, "cluster"), tunnel=True, repl_heartbeat=500)
try:
    try:
        c.start()
    except Exception as e:
        print("Bail out! %s" % e)
        raise SystemExit(1)
    s1, s2, s3 = c.sites
    is_([s.role() for s in c.sites], ["master", "replica", "replica"],
        "the group forms through the tunnels")
    is_([s.addr for s in c.sites],
        ["127.0.0.1:5001", "127.0.0.1:5002", "127.0.0.1:5003"],
        "each site's replication address is on loopback")
    ok(not any(connects(s.host, s.repl_port) for s in c.sites),
       "from the bridge, no site's replication port answers")
    ok(all("repl_insecure_network" not in open(s.conf).read()
           for s in c.sites),
       "and the settings pass the checks without repl_insecure_network")

    st, r = s1.post(article("m1", "m1", "news"))
    is_(st, 200, "a delivery on the master is acknowledged (quorum acks "
        "came through the tunnels)")
    st, r = s2.post(article("f2", "f2", "news"))
    is_(st, 200, "a delivery on a replica is forwarded through the tunnel")
    ok(wait_for(lambda: all({"m1", "f2"} <= set(s.docs()) for s in c.sites),
                10),
       "both are on every site")
    ok("Service [repl] accepted connection" in log(s1, "stunnel.log") and
       "Service [repl-to-1] accepted connection" in log(s2, "stunnel.log"),
       "the stunnel logs show replication connections on both ends")
    ok("Service [web-to-1] accepted connection" in log(s2, "stunnel.log"),
       "and the forwarded delivery's")

    # A stranger on the bridge: the replication port is closed to it, and
    # the tunnel wants the key.
    for port, what in ((s1.repl_port, "replication port"),
                       (6000 + s1.n, "tunnel without the key")):
        d = os.path.join(T, "stranger-%d" % port)
        os.makedirs(d)
        # Its own address: the test's, on the bridge (10.77.X.254).
        me = "%s.254:%d" % (c.net.net, free_port())
        r = subprocess.run([os.environ["STRANGER"], d, me,
                            "%s:%d" % (s1.host, port), "stay", "5"],
                           capture_output=True, text=True, timeout=60)
        ok(r.returncode == 1 and "joined" not in r.stdout and
           ("DB_REP_UNAVAIL" in r.stderr or "reset by peer" in r.stderr),
           "a stranger cannot join through the %s (%s)" %
           (what, r.stderr.strip().splitlines()[-1:]))
    is_(s1.metric("strapi_live_repl_strangers_total"), 0,
        "the master never saw a stranger")

    # Failover through the tunnels.
    s1.kill()
    end = time.time() + 20
    st = 0
    while st != 200 and time.time() < end:
        st, r = s2.post(article("after", "after", "news"), timeout=10)
        if st != 200:
            time.sleep(0.3)
    is_(st, 200, "the master killed, the others elect one through the "
        "tunnel and take writes")
    ok(wait_for(lambda: "after" in s3.docs() and "after" in s2.docs(), 10),
       "the delivery is on both survivors")
    diag("%.1f s" % (time.time() - t0))
finally:
    c.stop()
done()
