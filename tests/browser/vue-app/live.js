// useLiveQuery for Vue: the store's value in a shallow ref, the live
// query stopped with the component (or effect scope) that started it.
import { onScopeDispose, shallowRef } from "vue";
import { liveQuery } from "strapi-live-client/store";

export function useLiveQuery(collection, query, options) {
	const state = shallowRef(null);
	const stop = liveQuery(collection, query, options).subscribe((v) => {
		state.value = v;
	});
	onScopeDispose(stop);
	return state;
}
