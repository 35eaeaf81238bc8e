// Builds the test app: relative asset URLs, so that any docroot serves it.
import vue from "@vitejs/plugin-vue";

export default { base: "./", logLevel: "warn", build: { outDir: "dist" },
	plugins: [vue()],
	define: { __VUE_OPTIONS_API__: "false", __VUE_PROD_DEVTOOLS__: "false",
		__VUE_PROD_HYDRATION_MISMATCH_DETAILS__: "false" } };
