"""repl_cluster.py: three replicated sites on loopback.

Each site has its own store directory, configuration file, push sidecar
(the host's replication process) and lighttpd with webhook.fcgi and
query.fcgi. Used by tests/server/t1900-repl-cluster.sh and bench/repl.sh.
Standard library only.

Cluster(tmp, netns=True) runs each site in its own network namespace
(root and iproute2 needed; see Netns): the sites talk over a bridge,
and a site can be cut off from the others (Site.isolate) and healed
(Site.heal). Used by tests/server/t1920-repl-partition.sh.
"""
import json
import os
import random
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

from push_client import SECRET, STATUS_TOKEN, article, free_port, \
    http_get, wait_for

BUILD = os.environ.get("top_builddir", ".")
WEBHOOK_FCGI = os.environ.get("WEBHOOK_FCGI",
                              os.path.join(BUILD, "cgi-bin/webhook.fcgi"))
QUERY_FCGI = os.environ.get("QUERY_FCGI",
                            os.path.join(BUILD, "cgi-bin/query.fcgi"))
PUSH_BIN = os.environ.get("PUSH_BIN",
                          os.path.join(BUILD, "src/strapi-live-push"))
STRAPI_LIVE = os.environ.get("STRAPI_LIVE",
                             os.path.join(BUILD, "src/strapi-live"))


def children(pid):
    """Direct children of pid (FastCGI workers of a lighttpd)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                out.append(int(d))
        except (OSError, IndexError, ValueError):
            pass
    return out


def _ip(*args, check=True):
    """Runs ip(8); returns its stdout (raises on failure when check)."""
    r = subprocess.run(["ip"] + list(args), capture_output=True, text=True)
    if check and r.returncode != 0:
        raise OSError("ip %s: %s" % (" ".join(args), r.stderr.strip()))
    return r.stdout


def netns_cleanup(tag):
    """Removes what Netns(tag) made, even after an aborted run: every
    process left in its namespaces (SIGKILL), the namespaces (their veths
    go with them) and the root side's veth. Idempotent."""
    names = [line.split()[0] for line in
             _ip("netns", "list", check=False).splitlines() if line.strip()]
    mine = [ns for ns in names if ns.startswith("sl-%s-" % tag)]
    for ns in mine:
        for pid in _ip("netns", "pids", ns, check=False).split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (OSError, ValueError):
                pass
    for ns in mine:
        _ip("netns", "del", ns, check=False)
    _ip("link", "del", "slv0-" + tag, check=False)


class Netns:
    """One network namespace per site (sl-TAG-n), joined by a bridge in a
    namespace of its own (sl-TAG-0: no firewall of the host, such as
    br_netfilter with a FORWARD policy of DROP, sees its traffic). Site n
    is 10.77.X.n/24 on its eth0 (lo up too), linked to the bridge by a
    veth (vn in the bridge's namespace); the root namespace, where the
    test process runs, is 10.77.X.254 on slv0-TAG, linked to the bridge
    too, so it reaches every site directly. X is a /24 the root namespace
    uses for no address or route. TAG is unique to the run, so parallel
    or aborted runs do not collide; netns_cleanup(tag) removes it all."""

    def __init__(self, tag=None):
        self.tag = tag or os.environ.get("SL_NETNS_TAG") or \
            "%d%02x" % (os.getpid() % 10000000, random.randrange(256))
        self.brns = "sl-%s-0" % self.tag
        used = _ip("-4", "-o", "addr", "show") + _ip("-4", "route", "show")
        x = os.getpid() % 200 + 20
        while "10.77.%d." % x in used:
            x = x % 250 + 1
        self.net = "10.77.%d" % x
        root = "slv0-" + self.tag
        try:
            _ip("netns", "add", self.brns)
            _ip("-n", self.brns, "link", "add", "br0", "type", "bridge",
                "forward_delay", "0")
            _ip("-n", self.brns, "link", "set", "br0", "up")
            _ip("link", "add", root, "type", "veth", "peer", "name", "v0",
                "netns", self.brns)
            _ip("-n", self.brns, "link", "set", "v0", "master", "br0", "up")
            _ip("addr", "add", self.net + ".254/24", "dev", root)
            _ip("link", "set", root, "up")
        except OSError:
            self.cleanup()
            raise

    def add(self, n):
        """Namespace, bridge port and address of site n: (ns, port, ip)."""
        ns = "sl-%s-%d" % (self.tag, n)
        port = "v%d" % n
        ip = "%s.%d" % (self.net, n)
        try:
            _ip("netns", "add", ns)
            _ip("-n", self.brns, "link", "add", port, "type", "veth", "peer",
                "name", "eth0", "netns", ns)
            _ip("-n", self.brns, "link", "set", port, "master", "br0", "up")
            _ip("-n", ns, "link", "set", "lo", "up")
            _ip("-n", ns, "addr", "add", ip + "/24", "dev", "eth0")
            _ip("-n", ns, "link", "set", "eth0", "up")
        except OSError:
            self.cleanup()
            raise
        return ns, port, ip

    def link(self, port, up):
        """A site's port on the bridge up or down (a partition)."""
        _ip("-n", self.brns, "link", "set", port, "up" if up else "down")

    def cleanup(self):
        netns_cleanup(self.tag)


class Site:
    def __init__(self, cluster, n):
        self.c = cluster
        self.n = n
        self.dir = os.path.join(cluster.tmp, "site%d" % n)
        os.makedirs(os.path.join(self.dir, "www"), exist_ok=True)
        self.store = os.path.join(self.dir, "store")
        self.ns = None
        self.isolated = False
        self.host = "127.0.0.1"
        self.stunnel = None
        if cluster.net is not None:
            # Its own namespace: its own ports, the same on every site.
            self.ns, self.port, self.host = cluster.net.add(n)
            self.repl_port, self.push_port, self.web_port = 5001, 8001, 8080
        if cluster.tunnel:
            # Replication on loopback only, a port of its own per site:
            # 127.0.0.1:500n is site n's listener in its namespace and, in
            # every other site's, a stunnel client to it (start_tunnel).
            self.repl_port = 5000 + n
            self.host_repl = "127.0.0.1"
        else:
            self.repl_port = free_port()
            self.push_port = free_port()
            self.web_port = free_port()
        self.addr = "%s:%d" % (getattr(self, "host_repl", self.host),
                                self.repl_port)
        self.push = None
        self.web = None
        self.stopping = False
        self.restarts = 0
        self.exits = []  # why the supervisor restarted it: log lines
        self.restarted = []  # and when (time.time())

    @property
    def webhook_url(self):
        return "http://%s:%d/strapi/webhook" % (self.host, self.web_port)

    def cmd(self, argv):
        """argv run inside this site's namespace (as is without one)."""
        if self.ns is None:
            return list(argv)
        return ["ip", "netns", "exec", self.ns] + list(argv)

    def isolate(self):
        """A partition: this site's link to the bridge goes down, so it
        reaches neither the other sites nor the test process (which
        then talks to it from inside its namespace, with curl)."""
        self.c.net.link(self.port, False)
        self.isolated = True

    def heal(self):
        self.c.net.link(self.port, True)
        self.isolated = False

    def curl(self, path, port, body=None, headers=(), timeout=15):
        """HTTP from inside the site's namespace: (status, text); 0 when
        no answer came."""
        argv = ["curl", "-s", "-o", "-", "-w", "\n%{http_code}",
                "--max-time", str(timeout)]
        for h in headers:
            argv += ["-H", h]
        if body is not None:
            argv += ["--data-binary", "@-"]
        argv.append("http://%s:%d%s" % (self.host, port, path))
        try:
            r = subprocess.run(self.cmd(argv), input=body or "",
                               capture_output=True, text=True,
                               timeout=timeout + 5)
        except subprocess.TimeoutExpired:
            return 0, "timeout"
        text, _, code = r.stdout.rpartition("\n")
        try:
            return int(code), text
        except ValueError:
            return 0, r.stderr

    def start_tunnel(self):
        """stunnel in this site's namespace (Cluster(tunnel=True)): a
        server for its replication port (6000+n) and web server (6100+n)
        on its bridge address, TLS with a pre-shared key, and a client
        per other site m on 127.0.0.1:500m (replication) and
        127.0.0.1:700m (its webhook URL)."""
        conf = os.path.join(self.dir, "stunnel.conf")
        lines = ["foreground = yes", "pid =", "debug = 5",
                 "output = %s" % os.path.join(self.dir, "stunnel.log"),
                 "sslVersion = TLSv1.2", "ciphers = PSK",
                 "PSKsecrets = %s" % self.c.psk_file,
                 "[repl]", "accept = %s:%d" % (self.host, 6000 + self.n),
                 "connect = 127.0.0.1:%d" % self.repl_port,
                 "[web]", "accept = %s:%d" % (self.host, 6100 + self.n),
                 "connect = %s:%d" % (self.host, self.web_port)]
        for o in self.c.sites:
            if o is self:
                continue
            lines += ["[repl-to-%d]" % o.n, "client = yes",
                      "accept = 127.0.0.1:%d" % o.repl_port,
                      "connect = %s:%d" % (o.host, 6000 + o.n),
                      "[web-to-%d]" % o.n, "client = yes",
                      "accept = 127.0.0.1:%d" % (7000 + o.n),
                      "connect = %s:%d" % (o.host, 6100 + o.n)]
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        log = open(os.path.join(self.dir, "stunnel.out"), "a")
        self.stunnel = subprocess.Popen(self.cmd(["stunnel", conf]),
                                        stdout=log, stderr=log)

    def write_conf(self, creator):
        others = [s.addr for s in self.c.sites if s is not self]
        urls = ["%s=%s" % (s.addr, s.webhook_url) for s in self.c.sites]
        if self.c.tunnel:
            # Every site's URL as this site reaches it: its stunnel client.
            urls = ["%s=http://127.0.0.1:%d/strapi/webhook" %
                    (s.addr, 7000 + s.n) for s in self.c.sites]
        lines = ["store_dir = " + self.store,
                 "webhook_secret = " + SECRET,
                 "push_listen = %s:%d" % (self.host, self.push_port),
                 "repl_local = " + self.addr,
                 "repl_sites = " + " ".join(others),
                 "repl_group_creator = " + ("yes" if creator else "no"),
                 "repl_webhook_urls = " + " ".join(urls),
                 "repl_start_timeout = 30",
                 "status_token = " + STATUS_TOKEN]
        # Timings: a slow heartbeat by default, so a loaded test machine
        # does not see spurious elections; the soak passes faster ones.
        opts = {"repl_ack_timeout": 1000, "repl_heartbeat": 1000,
                "repl_election_timeout": 1000, "repl_election_retry": 300}
        if self.c.net is not None and not self.c.tunnel:
            # Plain http:// between the namespaces' private addresses:
            # the forwarded deliveries carry the webhook secret, which
            # strapi-live refuses to send in clear to another host unless
            # told the network is trusted (it is: it exists only here).
            opts["repl_insecure_network"] = "yes"
        opts.update(self.c.extra)
        for k, v in opts.items():
            lines.append("%s = %s" % (k, v))
        self.conf = os.path.join(self.dir, "strapi-live.conf")
        fd = os.open(self.conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("\n".join(lines) + "\n")

    def env(self):
        e = dict(os.environ)
        for k in list(e):
            if k.startswith("STRAPI_LIVE_") and k != "STRAPI_LIVE_LOG_LEVEL":
                del e[k]
        e["STRAPI_LIVE_CONFIG"] = self.conf
        return e

    def start_push(self, creator=False, wait=True):
        self.stopping = False
        if self.c.tunnel and self.stunnel is None:
            self.start_tunnel()
        self.write_conf(creator)
        log = open(os.path.join(self.dir, "push.log"), "a")
        self.push = subprocess.Popen(self.cmd([PUSH_BIN]), env=self.env(),
                                     stdout=log, stderr=log)
        if wait and not wait_for(self.health, 40, 0.05):
            raise IOError("site %d: sidecar did not start" % self.n)

    def start_web(self):
        conf = os.path.join(self.dir, "lighttpd.conf")
        fcgi = []
        for prefix, binp, procs in (("/strapi/webhook", WEBHOOK_FCGI, 2),
                                    ("/api/", QUERY_FCGI, 2)):
            name = os.path.basename(binp).replace(".", "_")
            fcgi.append(
                '"%s" => (( "socket" => "%s/%s.sock", "bin-path" => "%s", '
                '"max-procs" => %d, "check-local" => "disable", '
                '"bin-copy-environment" => ( "PATH", "STRAPI_LIVE_CONFIG", '
                '"STRAPI_LIVE_LOG_LEVEL", "ASAN_OPTIONS", "UBSAN_OPTIONS", '
                '"LSAN_OPTIONS" ) ))' % (prefix, self.dir, name, binp, procs))
        with open(conf, "w") as f:
            f.write('server.document-root = "%s/www"\n' % self.dir)
            f.write("server.port = %d\n" % self.web_port)
            f.write('server.bind = "%s"\n' % self.host)
            f.write('server.errorlog = "%s/lighttpd-error.log"\n' % self.dir)
            f.write('server.modules += ("mod_fastcgi")\n')
            f.write("fastcgi.server = ( %s )\n" % ", ".join(fcgi))
        log = open(os.path.join(self.dir, "lighttpd.out"), "a")
        self.web = subprocess.Popen(self.cmd(["lighttpd", "-D", "-f", conf]),
                                    env=self.env(), stdout=log, stderr=log)
        if not wait_for(lambda: self.get("/api/articles")[0] in (200, 404),
                        10, 0.05):
            raise IOError("site %d: lighttpd did not start" % self.n)

    def start(self, creator=False):
        self.start_push(creator)
        self.start_web()

    def health(self):
        try:
            if self.isolated:
                st, body = self.curl(
                    "/live/healthz", self.push_port, timeout=5,
                    headers=("Authorization: Bearer " + STATUS_TOKEN,))
            else:
                st, body, _ = http_get(self.host, self.push_port,
                                       "/live/healthz")
            return json.loads(body) if st == 200 else None
        except Exception:
            return None

    def metrics(self):
        """(status, text) of /live/metrics."""
        try:
            st, body, _ = http_get(self.host, self.push_port,
                                   "/live/metrics")
            return st, body
        except Exception as e:
            return 0, str(e)

    def metric(self, name):
        """The value of an unlabelled metric, or None."""
        st, body = self.metrics()
        for line in body.splitlines():
            if line.startswith(name + " "):
                return int(line.split()[1])
        return None

    def role(self):
        h = self.health() or {}
        return (h.get("replication") or {}).get("role")

    def master(self):
        h = self.health() or {}
        return (h.get("replication") or {}).get("master")

    def get(self, path):
        if self.isolated:
            st, text = self.curl(path, self.web_port, timeout=5)
            return st, text, {}
        try:
            return http_get(self.host, self.web_port, path)
        except Exception as e:
            return (0, str(e), {})

    def post(self, body, timeout=15):
        """POSTs a webhook; returns (status, parsed JSON or text)."""
        if self.isolated:
            st, text = self.curl(
                "/strapi/webhook", self.web_port, body, timeout=timeout,
                headers=("Content-Type: application/json",
                         "Authorization: Bearer " + SECRET,
                         "X-Strapi-Event: " + json.loads(body)["event"]))
            try:
                return st, json.loads(text)
            except ValueError:
                return st, text
        req = urllib.request.Request(
            self.webhook_url, data=body.encode(), method="POST",
            headers={"Content-Type": "application/json",
                     "Authorization": "Bearer " + SECRET,
                     "X-Strapi-Event": json.loads(body)["event"]})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                st, text = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            st, text = e.code, e.read().decode()
        except Exception as e:
            return 0, str(e)
        try:
            return st, json.loads(text)
        except ValueError:
            return st, text

    def docs(self):
        """documentId -> updatedAt of the published articles (CLI dump)."""
        out = {}
        for line in self.dump().splitlines():
            if line.strip():
                d = json.loads(line)
                out[d["documentId"]] = d.get("updatedAt")
        return out

    def dump(self):
        """The text of `strapi-live dump` on this site."""
        r = subprocess.run(self.cmd([STRAPI_LIVE, "dump"]), env=self.env(),
                           capture_output=True, text=True, timeout=20)
        return r.stdout

    def query_ids(self):
        st, body, _ = self.get("/api/articles?pagination%5BpageSize%5D=100")
        if st != 200:
            return None
        return sorted(x["documentId"] for x in json.loads(body)["data"])

    def _procs(self):
        out = []
        for p in (self.push, self.web):
            if p is not None and p.poll() is None:
                out.append(p.pid)
        if self.web is not None and self.web.poll() is None:
            out += children(self.web.pid)
        return out

    def signal(self, sig, what=("push", "web")):
        pids = []
        if "push" in what and self.push is not None and \
                self.push.poll() is None:
            pids.append(self.push.pid)
        if "web" in what and self.web is not None and self.web.poll() is None:
            pids += children(self.web.pid) + [self.web.pid]
        for pid in pids:
            try:
                os.kill(pid, sig)
            except OSError:
                pass

    def kill(self):
        """The host dies: SIGKILL to the sidecar, lighttpd, its workers."""
        self.stopping = True
        self.signal(signal.SIGKILL)
        for p in (self.push, self.web):
            if p is not None:
                p.wait()
        self.push = self.web = None

    def stop(self):
        self.stopping = True
        self.signal(signal.SIGCONT)
        if self.web is not None and self.web.poll() is None:
            kids = children(self.web.pid)
            self.web.terminate()
            try:
                self.web.wait(10)
            except subprocess.TimeoutExpired:
                self.web.kill()
            for k in kids:
                try:
                    os.kill(k, signal.SIGTERM)
                except OSError:
                    pass
        if self.push is not None and self.push.poll() is None:
            self.push.terminate()
            try:
                self.push.wait(15)
            except subprocess.TimeoutExpired:
                self.push.kill()
                self.push.wait()
        self.push = self.web = None


class Cluster:
    def __init__(self, tmp, n=3, netns=False, supervise=False, tunnel=False,
                 **extra):
        self.tmp = tmp
        self.extra = extra
        self.tunnel = tunnel
        if tunnel:
            # stunnel between the sites' namespaces (Site.start_tunnel).
            netns = True
            os.makedirs(tmp, exist_ok=True)
            self.psk_file = os.path.join(tmp, "psk.txt")
            fd = os.open(self.psk_file, os.O_WRONLY | os.O_CREAT, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write("sites:%s\n" % os.urandom(24).hex())
        self.sites = []
        self.supervisor = None
        self.halt = True
        if supervise:
            # As systemd's Restart=on-failure does on a host
            # (conf/strapi-live-push.service): a sidecar that exits with
            # an error (a replication rollback invalidated its handles,
            # the environment needs recovery) is started again.
            self.supervisor = threading.Thread(target=self._supervise,
                                               daemon=True)
        self.net = Netns() if netns else None
        try:
            for i in range(n):
                self.sites.append(Site(self, i + 1))
        except BaseException:
            if self.net is not None:
                self.net.cleanup()
            raise

    def start(self):
        # Sidecars first (the group forms), then the web servers: a
        # writer started before a site joined does not count that site's
        # acks (see docs/replication.md).
        self.sites[0].start_push(creator=True)
        for s in self.sites[1:]:
            s.start_push(wait=False)
        for s in self.sites[1:]:
            if not wait_for(s.health, 40, 0.05):
                raise IOError("site %d: sidecar did not join" % s.n)
        for s in self.sites:
            s.start_web()
        if self.supervisor is not None:
            self.halt = False
            self.supervisor.start()

    def start_or_bail(self):
        """start() for a TAP test: a failure ends it with Bail out!."""
        try:
            self.start()
        except Exception as e:
            print("Bail out! %s" % e)
            raise SystemExit(1)

    def master(self):
        for s in self.sites:
            if s.push is not None and s.role() == "master":
                return s
        return None

    def _supervise(self):
        while not self.halt:
            for s in self.sites:
                p = s.push
                if p is None or s.stopping or p.poll() in (None, 0):
                    continue
                why = "exit status %d" % p.returncode
                try:
                    with open(os.path.join(s.dir, "push.log")) as log:
                        run = log.read().rsplit("# supervisor:", 1)[-1]
                    fatal = [line for line in run.splitlines()
                             if " fatal " in line]
                    if fatal:
                        why = fatal[-1].split(" fatal ", 1)[1].strip()
                except OSError:
                    pass
                s.exits.append(why)
                s.restarted.append(time.time())
                with open(os.path.join(s.dir, "push.log"), "a") as log:
                    log.write("# supervisor: exit status %s; restarting\n"
                              % p.returncode)
                s.restarts += 1
                s.start_push(wait=False)
            time.sleep(0.2)

    def stop(self):
        self.halt = True
        if self.supervisor is not None and self.supervisor.is_alive():
            self.supervisor.join(5)
        try:
            for s in self.sites:
                if s.isolated:
                    s.heal()
                s.stop()
            for s in self.sites:
                if s.stunnel is not None and s.stunnel.poll() is None:
                    s.stunnel.terminate()
                    s.stunnel.wait(10)
        finally:
            if self.net is not None:
                self.net.cleanup()


class Loader(threading.Thread):
    """Posts distinct webhooks to the given sites, round robin, at rate/s
    (0: as fast as answers come); records what was acknowledged."""

    def __init__(self, sites, prefix, rate=0):
        threading.Thread.__init__(self, daemon=True)
        self.sites = sites
        self.prefix = prefix
        self.rate = rate
        self.acked = []   # documentIds answered 200
        self.refused = 0  # 503s and failures
        self.other = []
        self.halt = False

    def run(self):
        i = 0
        t0 = time.time()
        while not self.halt:
            s = self.sites[i % len(self.sites)]
            doc = "%s%d" % (self.prefix, i)
            st, r = s.post(article(doc, doc, "news"), timeout=10)
            if st == 200:
                self.acked.append(doc)
            elif st in (0, 503):
                self.refused += 1
            else:
                self.other.append((st, r))
            i += 1
            if self.rate:
                delay = t0 + i / self.rate - time.time()
                if delay > 0:
                    time.sleep(delay)

    def stop(self):
        self.halt = True
        self.join(30)
