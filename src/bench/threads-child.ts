// The threads benchmark's own process (see benchThreads in main.ts): ORT's thread count is fixed
// per process, so the N-thread comparison cannot share the main benchmark's process.
import { runBenchmark } from './main.js';

await runBenchmark([...process.argv.slice(2), '--threads-child']);
