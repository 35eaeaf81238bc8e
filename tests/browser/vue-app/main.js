// A Vue 3 app as a frontend developer writes it with the installed
// package: the store (strapi-live-client/store) copied into a ref by a
// composable (live.js). ?base=<strapi-live origin> says where the server
// is (the app is served from another origin); ?transport=sse forces
// Server-Sent Events.
import { createApp } from "vue";
import { client, configure } from "strapi-live-client";
import App from "./App.vue";

const params = new URLSearchParams(location.search);
const base = params.get("base");
configure({ api: base + "/api/", live: base + "/live/",
	transport: params.get("transport") || "auto" });
window.__sl = client(); // for the test: its live queries

createApp(App).mount("#root");
