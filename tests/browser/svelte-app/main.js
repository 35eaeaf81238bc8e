// A Svelte 5 app as a frontend developer writes it with the installed
// package: the store (strapi-live-client/store) read with $store in
// components. ?base=<strapi-live origin> says where the server is (the app
// is served from another origin); ?transport=sse forces Server-Sent Events.
import { mount } from "svelte";
import { client, configure } from "strapi-live-client";
import App from "./App.svelte";

const params = new URLSearchParams(location.search);
const base = params.get("base");
configure({ api: base + "/api/", live: base + "/live/",
	transport: params.get("transport") || "auto" });
window.__sl = client(); // for the test: its live queries

mount(App, { target: document.getElementById("root") });
