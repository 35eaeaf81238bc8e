// Builds the test app: relative asset URLs, so that any docroot serves it
// (.mjs: the Svelte plugin is an ES module only).
import { svelte } from "@sveltejs/vite-plugin-svelte";

export default { base: "./", logLevel: "warn", build: { outDir: "dist" },
	plugins: [svelte()] };
