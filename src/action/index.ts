// The Action's entry point, as in GitHub's template: everything happens in run().
import { run } from './run.js';

await run();
