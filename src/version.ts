// deptool's version: package.json's, inlined into the bundle at build time, read from it
// when running from sources (tests), so `--version` and the published package never disagree.
import { readFileSync } from 'node:fs';

declare const __DEPTOOL_VERSION__: string | undefined;

export const VERSION: string =
  typeof __DEPTOOL_VERSION__ === 'string'
    ? __DEPTOOL_VERSION__
    : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
