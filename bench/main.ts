// `npm start` and `npm run bench`: the benchmark in src/bench/ (also behind `simdconv bench`),
// with this process's flags.
import { runBenchmark } from '../src/bench/main.js';

await runBenchmark(process.argv.slice(2));
