// Node or a browser: the one check the runtime, the pool and the workers share.

/** Running under Node (worker_threads, node:os), not in a browser or a browser worker. */
export const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
