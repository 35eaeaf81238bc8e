// app.js: the live blog demo on strapi-live.js (no framework, no build step)
//
// Strapi's blog template model (schema/): articles with a cover, an author
// and a category, the single type global (the site's name, in the header).
// Routes (in the hash, so any static web server can serve the page):
//   #/                 all articles, newest first
//   #/article/<slug>   one article
// Page options in the query string: ?transport=ws|sse|poll|auto, ?api=URL,
// ?live=URL (defaults: /api/ and /live/ on this origin).
//
// Live: the raw change stream says when an article, an author, a category,
// a file or global changes, and the page fetches its populated request
// again (a change, like a live query's result, carries an entry's public
// form, without its relations and media).

import { configure, changes, get, onStatus } from "../strapi-live.js";
import { renderMarkdown } from "./markdown.js";

const POPULATE = "populate[cover]=true&populate[author]=true" +
    "&populate[category]=true";
// The types whose changes the page shows (upload.file: the media rows).
const WATCHED = ["articles", "authors", "categories", "upload.file", "globals"];

const params = new URLSearchParams(location.search);
const API = new URL(params.get("api") || "/api/", location.href).href
    .replace(/\/?$/, "/");
configure({
	transport: params.get("transport") || "auto",
	api: params.get("api") || undefined,
	live: params.get("live") || undefined,
});

const $ = (sel) => document.querySelector(sel);

function el(tag, attrs = {}, ...children) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs)) {
		if (v === undefined || v === null)
			continue;
		if (k === "class")
			e.className = v;
		else if (k.startsWith("data-") || k === "href" || k === "src" ||
		    k === "alt" || k === "datetime")
			e.setAttribute(k, v);
		else
			e[k] = v;
	}
	for (const c of children)
		if (c !== null && c !== undefined)
			e.append(c); // strings become text nodes: never HTML
	return e;
}

function fmtDate(iso) {
	const d = new Date(iso);
	return isNaN(d) ? "" : d.toLocaleString(undefined,
	    { dateStyle: "medium", timeStyle: "short" });
}

async function api(path) {
	const r = await fetch(API + path, {
		headers: { Accept: "application/json" } });
	const body = await r.json().catch(() => null);
	if (!r.ok)
		throw new Error((body && body.error && body.error.message) ||
		    `${r.status} ${r.statusText}`);
	return body;
}

function showError(e) {
	const box = $("#error");
	box.textContent = e.message;
	box.hidden = false;
}

// A media row's url is relative to Strapi's origin (here: the API's).
function cover(m) {
	if (!m || !m.url)
		return null;
	return el("img", { class: "cover", src: new URL(m.url, API).href,
	    alt: m.alternativeText || "", "data-name": m.name,
	    width: m.width, height: m.height });
}

function meta(a) {
	return el("p", { class: "meta" },
	    el("span", { class: "category" }, a.category ? a.category.name : ""),
	    " · by ",
	    el("span", { class: "author" }, a.author ? a.author.name : "—"),
	    " · ",
	    el("time", { datetime: a.publishedAt }, fmtDate(a.publishedAt)));
}

// ---- layout: connection state, site name ---------------------------------

onStatus((s) => {
	const st = $("#status");
	const how = s.transport === "ws" ? "WebSocket" :
	    s.transport === "sse" ? "SSE" :
	    s.transport === "poll" ? "polling" : "";
	st.textContent = {
		idle: "idle",
		connecting: "connecting…",
		live: `live · ${how}`,
		reconnecting: "reconnecting…",
	}[s.state] || s.state;
	st.dataset.state = s.state;
	st.dataset.transport = s.transport || "";
});

// ---- one populated request, fetched again on every change -----------------

let view = null; // { load(): Promise<answer>, show(answer) }
let gen = 0;

async function refresh() {
	const g = ++gen;
	const v = view;
	try {
		const [answer, site] = await Promise.all([v.load(),
		    api("global").catch(() => null)]);
		if (g !== gen)
			return; // a newer refresh is under way
		const name = site && site.data ? site.data.siteName : "Live blog";
		$("#site-name").textContent = name;
		v.show(answer, name);
		$("#error").hidden = true;
	} catch (e) {
		if (g === gen)
			showError(e);
	}
}

// The stream from the store's sequence now on (read before the first load).
get("articles", { pageSize: 1 }).then((r) => {
	for (const c of WATCHED)
		changes(c, () => refresh(), { since: r.meta.seq,
		    onReset: () => refresh(), onError: showError });
}, showError);

// ---- views -----------------------------------------------------------------

function listView() {
	let shown = null; // documentId -> what the row showed
	view = {
		load: () => api(`articles?sort=publishedAt:desc&${POPULATE}`),
		show: (r, site) => {
			const articles = r.data;
			document.title = site;
			const c = $("#count");
			c.dataset.count = String(r.meta.pagination.total);
			c.textContent = `${r.meta.pagination.total} published`;
			const now = new Map(articles.map((a) =>
			    [a.documentId, JSON.stringify(a)]));
			const changed = (a) => shown !== null &&
			    shown.get(a.documentId) !== now.get(a.documentId);
			shown = now;
			const list = el("ul", { id: "list", class: "articles" },
			    ...articles.map((a) => el("li", {
				class: changed(a) ? "article changed" : "article",
				"data-document-id": a.documentId,
				"data-slug": a.slug,
			    },
			    cover(a.cover),
			    el("a", { href: "#/article/" +
				encodeURIComponent(a.slug ?? "") },
				el("h2", { class: "title" },
				    a.title ?? "(untitled)")),
			    meta(a),
			    el("p", { class: "excerpt" }, a.description ?? ""))));
			$("#view").replaceChildren(articles.length ? list :
			    el("p", { class: "empty" }, "No articles yet."));
		},
	};
}

function articleView(slug) {
	view = {
		load: () => api(`articles?filters[slug][$eq]=` +
		    `${encodeURIComponent(slug)}&${POPULATE}` +
		    "&populate[blocks]=true"),
		show: (r, site) => {
			const a = r.data[0];
			if (a === undefined) {
				document.title = `Not found · ${site}`;
				$("#view").replaceChildren(el("div",
				    { class: "not-found" },
				    el("h1", {}, "Article not found"),
				    el("p", {}, "It may have been unpublished. ",
					el("a", { href: "#/" },
					    "Back to the list"))));
				return;
			}
			document.title = `${a.title} · ${site}`;
			const body = el("div", { class: "content" });
			body.innerHTML = renderMarkdown((a.blocks || [])
			    .filter((b) => b.__component === "shared.rich-text")
			    .map((b) => b.body || "").join("\n\n")); // escaped first
			$("#view").replaceChildren(el("article", {
				id: "article",
				"data-document-id": a.documentId,
			},
			el("p", {}, el("a", { href: "#/" }, "← all articles")),
			cover(a.cover),
			el("h1", { class: "title" }, a.title ?? "(untitled)"),
			meta(a),
			el("p", { class: "excerpt" }, a.description ?? ""),
			body));
		},
	};
}

function route() {
	$("#error").hidden = true;
	$("#view").replaceChildren(el("p", { class: "loading" }, "Loading…"));
	const m = /^\/article\/(.+)$/.exec(location.hash.replace(/^#/, ""));
	if (m)
		articleView(decodeURIComponent(m[1]));
	else
		listView();
	refresh();
}

window.addEventListener("hashchange", route);
route();
