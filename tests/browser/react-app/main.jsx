// A React app as a frontend developer writes it with the installed
// package: useLiveQuery for a list, a missing query beside it, and the
// shared client's status. ?base=<strapi-live origin> says where the
// server is (the app is served from another origin); ?transport=sse
// forces Server-Sent Events.
import React, { useState } from "react";
import { createRoot } from "react-dom/client";
import { configure } from "strapi-live-client";
import { useLiveQuery } from "strapi-live-client/react";

const params = new URLSearchParams(location.search);
const base = params.get("base");
configure({ api: base + "/api/", live: base + "/live/",
	transport: params.get("transport") || "auto" });

function Articles({ category }) {
	const { loading, data, error, status } = useLiveQuery("articles",
	    { category, sort: "publishedAt:desc" });
	if (error)
		return <p id={"err-" + category}>{error.status} {error.errorName}</p>;
	if (loading)
		return <p id={"loading-" + category}>loading…</p>;
	return (
		<ul id={"list-" + category} data-state={status.state}>
			{data.map((a) => <li key={a.documentId}>{a.title}</li>)}
		</ul>
	);
}

function Missing() {
	const { loading, error } = useLiveQuery("nosuch", null);
	if (loading)
		return <p id="missing-loading">loading…</p>;
	return <p id="missing">{error ? error.status + " " + error.errorName
	    : "no error"}</p>;
}

function App() {
	const [shown, setShown] = useState(true);
	return (
		<>
			<button id="toggle" onClick={() => setShown(!shown)}>
				toggle
			</button>
			{shown && <Articles category="tech" />}
			<Articles category="ops" />
			<Missing />
		</>
	);
}

createRoot(document.getElementById("root")).render(<App />);
