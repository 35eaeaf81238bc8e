// Builds the test app: relative asset URLs, so that any docroot serves it.
export default { base: "./", logLevel: "warn", build: { outDir: "dist" } };
