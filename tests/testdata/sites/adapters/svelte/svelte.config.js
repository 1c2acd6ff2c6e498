import adapter from "svelte-kit-sst";

export default { kit: { adapter: adapter() } };
