// strapi-live.js: browser client for strapi-live (ES module, no dependencies)
//
//   import { subscribe } from "/strapi-live.js";
//   const stop = subscribe("articles", { category: "tech" }, (list) => render(list));
//
// Live queries travel over one WebSocket per page (GET <live>/ws). When the
// WebSocket cannot be opened (blocked by a proxy, refused, or not open within
// a few seconds) the client falls back to Server-Sent Events: one EventSource
// per live query (<live>/query?...) and one for the raw change stream
// (<live>/events). Lost connections are retried fast at first (a restarted
// sidecar is back within seconds), then with exponential backoff, always
// with jitter; on every reconnect each query is re-subscribed (the server
// answers with the current result, so nothing is missed) and the raw stream
// resumes from the last sequence number seen. A "reset" (the resume point was
// trimmed from the server's log) makes every query refetch and tells raw-stream
// listeners to refetch what they keep.

const WS_OPEN_TIMEOUT_MS = 4000;
const BACKOFF_BASE_MS = 250;
const BACKOFF_FAST_MS = 1000; /* the gap between the first retries, at most */
const BACKOFF_FAST_TRIES = 10;
const BACKOFF_MAX_MS = 15000;
const IDLE_CLOSE_MS = 1000;

function defaultBase(path) {
	if (typeof location === "undefined")
		return "http://127.0.0.1" + path;
	return new URL(path, location.href).href;
}

function withSlash(u) {
	return u.endsWith("/") ? u : u + "/";
}

// Query parameters of the push protocol and of the query endpoint.
function liveParams(collection, query) {
	const p = new URLSearchParams();
	p.set("collection", collection);
	for (const [k, v] of Object.entries(query || {})) {
		if (v === undefined || v === null || v === "")
			continue;
		p.set(k, String(v));
	}
	return p;
}

// Strapi REST syntax for the query endpoint (filters[..][$eq], pagination[..]).
function restParams(query) {
	const p = new URLSearchParams();
	for (const [k, v] of Object.entries(query || {})) {
		if (v === undefined || v === null || v === "")
			continue;
		if (k === "pageSize" || k === "page")
			p.set(`pagination[${k}]`, String(v));
		else if (k === "cursor" || k === "sort")
			p.set(k, String(v));
		else
			p.set(`filters[${k}][$eq]`, String(v));
	}
	return p;
}

// The wait before retry number attempt (0 first): 250 ms, 500 ms, then at
// most 1 s for the first ten (a sidecar restarted by its supervisor is live
// again within about a second of its return), then doubling up to 15 s.
function backoffDelay(attempt) {
	const cap = attempt < BACKOFF_FAST_TRIES ?
	    Math.min(BACKOFF_FAST_MS, BACKOFF_BASE_MS * 2 ** attempt) :
	    Math.min(BACKOFF_MAX_MS,
		BACKOFF_FAST_MS * 2 ** (attempt - BACKOFF_FAST_TRIES + 1));
	// Full jitter: a random point in [cap/4, cap], so a restarted server
	// is not hit by every page at the same instant.
	return cap / 4 + Math.random() * (cap * 3) / 4;
}

export class StrapiLiveError extends Error {
	constructor(message, status, name, details) {
		super(message);
		this.name = "StrapiLiveError";
		this.status = status;
		this.errorName = name;
		this.details = details;
	}
}

export class Client {
	constructor(options = {}) {
		this.api = withSlash(options.api || defaultBase("/api/"));
		this.live = withSlash(options.live || defaultBase("/live/"));
		this.transport = options.transport || "auto"; // auto | ws | sse
		this.subs = new Map(); // id -> subscription
		this.listeners = new Set(); // raw change listeners
		this.statusFns = new Set();
		this.nextId = 1;
		this.conn = null; // current transport connection
		this.attempt = 0;
		this.retryTimer = null;
		this.idleTimer = null;
		this.wsEverOpened = false;
		this.wsFailed = false;
		this.lastSeq = 0; // highest sequence seen on any message
		this.state = { state: "idle", transport: null, attempt: 0 };
		if (typeof window !== "undefined" && window.addEventListener)
			window.addEventListener("online", () => this._retryNow());
	}

	// ---- public API -------------------------------------------------

	subscribe(collection, query, onResult, opts = {}) {
		const sub = {
			id: "q" + this.nextId++,
			collection,
			query: { ...(query || {}) },
			onResult,
			onError: opts.onError,
			seq: -1,
			es: null,
		};
		this.subs.set(sub.id, sub);
		this._need();
		if (this.conn && this.conn.open)
			this.conn.addSub(sub);
		return () => {
			if (!this.subs.has(sub.id))
				return;
			this.subs.delete(sub.id);
			if (this.conn)
				this.conn.removeSub(sub);
			this._maybeIdle();
		};
	}

	changes(collection, onChange, opts = {}) {
		const l = {
			collection,
			onChange,
			onReset: opts.onReset,
			onError: opts.onError,
			since: opts.since === undefined ? null : Number(opts.since),
		};
		this.listeners.add(l);
		const start = async () => {
			if (l.since === null) {
				// "From now": the query endpoint tells the
				// current sequence number.
				try {
					const r = await this.get(collection, {
						pageSize: 1,
					});
					l.since = Number(r.meta && r.meta.seq) || 0;
				} catch (e) {
					l.since = this.lastSeq;
				}
			}
			if (!this.listeners.has(l))
				return;
			this._need();
			if (this.conn && this.conn.open)
				this.conn.addListener(l);
		};
		start();
		return () => {
			if (!this.listeners.delete(l))
				return;
			if (this.conn)
				this.conn.removeListener(l);
			this._maybeIdle();
		};
	}

	async get(collection, query = {}, init = {}) {
		let url;
		const q = { ...query };
		if (q.documentId) {
			url = this.api + encodeURIComponent(collection) + "/" +
			    encodeURIComponent(q.documentId);
		} else {
			url = this.api + encodeURIComponent(collection);
			const p = restParams(q).toString();
			if (p)
				url += "?" + p;
		}
		const r = await fetch(url, {
			headers: { Accept: "application/json" },
			...init,
		});
		let body = null;
		try {
			body = await r.json();
		} catch (e) {
			body = null;
		}
		if (!r.ok) {
			const err = (body && body.error) || {};
			throw new StrapiLiveError(err.message || r.statusText,
			    r.status, err.name, err.details);
		}
		const seq = Number(r.headers.get("X-Strapi-Live-Seq"));
		if (body && body.meta && body.meta.seq === undefined && seq)
			body.meta.seq = seq;
		return body;
	}

	onStatus(fn) {
		this.statusFns.add(fn);
		fn({ ...this.state });
		return () => this.statusFns.delete(fn);
	}

	status() {
		return { ...this.state };
	}

	close() {
		this.subs.clear();
		this.listeners.clear();
		this._teardown();
		this._setState("idle", null);
	}

	// ---- connection management ------------------------------------

	_setState(state, transport) {
		this.state = { state, transport, attempt: this.attempt,
			seq: this.lastSeq };
		for (const fn of this.statusFns) {
			try {
				fn({ ...this.state });
			} catch (e) {
				console.error(e);
			}
		}
	}

	_need() {
		clearTimeout(this.idleTimer);
		this.idleTimer = null;
		if (this.conn === null && this.retryTimer === null)
			this._connect();
	}

	_maybeIdle() {
		if (this.subs.size > 0 || this.listeners.size > 0)
			return;
		// Close a little later, so that a page switching views does
		// not drop and reopen its socket.
		clearTimeout(this.idleTimer);
		this.idleTimer = setTimeout(() => {
			if (this.subs.size === 0 && this.listeners.size === 0) {
				this._teardown();
				this._setState("idle", null);
			}
		}, IDLE_CLOSE_MS);
	}

	_teardown() {
		clearTimeout(this.retryTimer);
		this.retryTimer = null;
		if (this.conn) {
			const c = this.conn;
			this.conn = null;
			c.close();
		}
	}

	_useWebSocket() {
		if (this.transport === "ws")
			return true;
		if (this.transport === "sse" || typeof WebSocket === "undefined")
			return false;
		return this.wsEverOpened || !this.wsFailed;
	}

	_connect() {
		this.retryTimer = null;
		if (this.subs.size === 0 && this.listeners.size === 0)
			return;
		const ws = this._useWebSocket();
		this._setState(this.attempt === 0 ? "connecting" :
		    "reconnecting", ws ? "ws" : "sse");
		this.conn = ws ? new WsConn(this) : new SseConn(this);
		this.conn.start();
	}

	// Called by a connection when it is usable.
	_opened(conn) {
		if (conn !== this.conn)
			return;
		this.attempt = 0;
		if (conn instanceof WsConn)
			this.wsEverOpened = true;
		this._setState("live", conn.kind);
	}

	// Called by a connection when it failed or closed.
	_failed(conn, beforeOpen) {
		if (conn !== this.conn)
			return;
		this.conn = null;
		conn.close();
		if (conn instanceof WsConn && beforeOpen && !this.wsEverOpened &&
		    this.transport === "auto") {
			// The WebSocket never got through: try SSE at once.
			this.wsFailed = true;
			this._connect();
			return;
		}
		if (conn instanceof SseConn)
			this.wsFailed = false; // next time, try WebSocket first
		this._schedule();
	}

	_schedule() {
		const delay = backoffDelay(this.attempt);
		this.attempt++;
		this._setState("reconnecting", null);
		clearTimeout(this.retryTimer);
		this.retryTimer = setTimeout(() => this._connect(), delay);
	}

	_retryNow() {
		if (this.retryTimer === null)
			return;
		clearTimeout(this.retryTimer);
		this._connect();
	}

	// ---- message dispatch (both transports) -----------------------

	_seen(seq) {
		if (Number.isFinite(seq) && seq > this.lastSeq)
			this.lastSeq = seq;
	}

	_result(sub, seq, data) {
		if (!this.subs.has(sub.id))
			return;
		seq = Number(seq);
		this._seen(seq);
		if (Number.isFinite(seq) && seq < sub.seq)
			return; // older than what was shown
		sub.seq = Number.isFinite(seq) ? seq : sub.seq;
		try {
			sub.onResult(Array.isArray(data) ? data : [],
			    { seq: sub.seq, transport: this.state.transport });
		} catch (e) {
			console.error(e);
		}
	}

	_subError(sub, message) {
		const err = new StrapiLiveError(message || "subscription error");
		if (sub && sub.onError)
			sub.onError(err);
		else
			console.error("strapi-live:", err.message);
	}

	_change(ch) {
		const seq = Number(ch.seq);
		this._seen(seq);
		for (const l of this.listeners) {
			if (l.since === null || seq <= l.since)
				continue;
			l.since = seq;
			if (l.collection && ch.collection &&
			    l.collection !== ch.collection)
				continue;
			try {
				l.onChange(ch);
			} catch (e) {
				console.error(e);
			}
		}
	}

	// The server no longer has the changes after our resume point.
	_reset(seq) {
		seq = Number(seq);
		for (const l of this.listeners) {
			if (Number.isFinite(seq))
				l.since = seq;
			try {
				if (l.onReset)
					l.onReset({ seq });
				else
					l.onChange({ op: "reset", seq });
			} catch (e) {
				console.error(e);
			}
		}
		if (this.conn)
			this.conn.refetch();
	}
}

// One WebSocket carrying every subscription of the page.
class WsConn {
	constructor(client) {
		this.c = client;
		this.kind = "ws";
		this.ws = null;
		this.open = false;
		this.timer = null;
		this.closed = false;
	}

	start() {
		const u = new URL("ws", this.c.live);
		u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
		try {
			this.ws = new WebSocket(u.href);
		} catch (e) {
			queueMicrotask(() => this.c._failed(this, true));
			return;
		}
		this.timer = setTimeout(() => {
			if (!this.open)
				this.c._failed(this, true);
		}, WS_OPEN_TIMEOUT_MS);
		this.ws.onopen = () => {
			clearTimeout(this.timer);
			this.open = true;
			for (const sub of this.c.subs.values())
				this.addSub(sub);
			this._changes();
			this.c._opened(this);
		};
		this.ws.onmessage = (ev) => this._message(ev.data);
		this.ws.onclose = () => this.c._failed(this, !this.open);
		this.ws.onerror = () => {}; // onclose follows
	}

	_send(msg) {
		if (this.ws && this.ws.readyState === 1)
			this.ws.send(JSON.stringify(msg));
	}

	addSub(sub) {
		this._send({ type: "subscribe", id: sub.id,
			collection: sub.collection, query: sub.query });
	}

	removeSub(sub) {
		this._send({ type: "unsubscribe", id: sub.id });
	}

	_changes() {
		let since = null;
		for (const l of this.c.listeners)
			if (l.since !== null && (since === null || l.since < since))
				since = l.since;
		if (since !== null)
			this._send({ type: "changes", since });
	}

	addListener() {
		this._changes();
	}

	removeListener() {}

	refetch() {
		for (const sub of this.c.subs.values())
			this.addSub(sub);
	}

	_message(text) {
		let m;
		try {
			m = JSON.parse(text);
		} catch (e) {
			return;
		}
		if (m === null || typeof m !== "object")
			return;
		const sub = m.id !== undefined ? this.c.subs.get(m.id) : null;
		switch (m.type) {
		case "result":
			if (sub)
				this.c._result(sub, m.seq, m.data);
			break;
		case "error":
			if (sub)
				this.c._subError(sub, m.message);
			else
				console.error("strapi-live:", m.message);
			break;
		case "reset":
			this.c._reset(m.seq);
			break;
		default:
			if (m.op === "reset")
				this.c._reset(m.seq);
			else if (m.op !== undefined && m.seq !== undefined)
				this.c._change(m);
		}
	}

	close() {
		this.closed = true;
		clearTimeout(this.timer);
		if (this.ws) {
			this.ws.onopen = this.ws.onmessage = null;
			this.ws.onclose = this.ws.onerror = null;
			try {
				this.ws.close();
			} catch (e) {
				/* already closed */
			}
		}
		this.open = false;
	}
}

// Server-Sent Events: one EventSource per live query, one for raw changes.
// EventSource's own reconnection is not used: on any error the whole
// connection is closed and the client's backoff takes over, so that every
// stream resumes from the sequence the client has actually seen.
class SseConn {
	constructor(client) {
		this.c = client;
		this.kind = "sse";
		this.open = false;
		this.sources = new Map(); // sub id or "changes" -> EventSource
		this.pending = 0;
		this.closed = false;
	}

	start() {
		for (const sub of this.c.subs.values())
			this.addSub(sub);
		this._changes();
		if (this.sources.size === 0) {
			// Only raw listeners still waiting for their start.
			this.open = true;
			this.c._opened(this);
		}
	}

	_watch(key, url, handlers) {
		let es;
		try {
			es = new EventSource(url);
		} catch (e) {
			queueMicrotask(() => this.c._failed(this, true));
			return;
		}
		this.sources.set(key, es);
		es.onopen = () => {
			if (!this.open) {
				this.open = true;
				this.c._opened(this);
			}
		};
		es.onerror = () => {
			if (!this.closed)
				this.c._failed(this, !this.open);
		};
		for (const [ev, fn] of Object.entries(handlers))
			es.addEventListener(ev, (e) => {
				let d;
				try {
					d = JSON.parse(e.data);
				} catch (x) {
					return;
				}
				fn(d, e);
			});
	}

	addSub(sub) {
		if (this.sources.has(sub.id))
			return;
		const p = liveParams(sub.collection, sub.query);
		this._watch(sub.id, this.c.live + "query?" + p, {
			result: (d) => this.c._result(sub, d.seq, d.data),
			error: (d) => this.c._subError(sub, d.message),
		});
	}

	removeSub(sub) {
		const es = this.sources.get(sub.id);
		if (es) {
			es.close();
			this.sources.delete(sub.id);
		}
	}

	_changes() {
		let since = null;
		for (const l of this.c.listeners)
			if (l.since !== null && (since === null || l.since < since))
				since = l.since;
		const old = this.sources.get("changes");
		if (since === null) {
			if (old) {
				old.close();
				this.sources.delete("changes");
			}
			return;
		}
		if (old && this.changesSince !== undefined &&
		    this.changesSince <= since)
			return;
		if (old)
			old.close();
		this.changesSince = since;
		const raw = (d) => this.c._change(d);
		this._watch("changes", this.c.live + "events?lastEventId=" + since,
		    {
			    upsert: raw,
			    remove: raw,
			    change: raw,
			    reset: (d) => this.c._reset(d && d.seq),
		    });
	}

	addListener() {
		this._changes();
	}

	removeListener() {
		if (this.c.listeners.size === 0)
			this._changes();
	}

	refetch() {
		for (const sub of this.c.subs.values()) {
			this.removeSub(sub);
			this.addSub(sub);
		}
	}

	close() {
		this.closed = true;
		for (const es of this.sources.values())
			es.close();
		this.sources.clear();
		this.open = false;
	}
}

let defaultClient = null;
let defaultOptions = {};

// Sets the options of the page's shared client: { api, live, transport }.
// Call it before the first subscribe (a later call starts a new client).
export function configure(options) {
	defaultOptions = { ...options };
	if (defaultClient !== null) {
		defaultClient.close();
		defaultClient = null;
	}
}

export function client() {
	if (defaultClient === null)
		defaultClient = new Client(defaultOptions);
	return defaultClient;
}

export function subscribe(collection, query, onResult, opts) {
	return client().subscribe(collection, query, onResult, opts);
}

export function changes(collection, onChange, opts) {
	return client().changes(collection, onChange, opts);
}

export function get(collection, query, init) {
	return client().get(collection, query, init);
}

export function onStatus(fn) {
	return client().onStatus(fn);
}
