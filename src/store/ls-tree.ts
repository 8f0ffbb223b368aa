// Parses `git ls-tree -r -t -l -z` of a store commit into host -> app -> files and tree id.
import { OperationError } from '../errors.js';
import type { StoredApp, StoredCluster } from './types.js';

/**
 * Entries are `<mode> SP <type> SP <oid> SP+ <size> TAB <path>`, NUL-terminated; `-t`
 * lists each tree before its contents, which gives `<host>/<app>` its tree id. Blobs
 * outside an app (say a README at the root) are not on any host and are ignored.
 */
export function parseLsTree(output: string, commit: string): StoredCluster {
  const cluster: StoredCluster = new Map();
  const apps = new Map<string, StoredApp>();
  let start = 0;
  while (start < output.length) {
    let end = output.indexOf('\0', start);
    if (end === -1) end = output.length;
    const entry = output.slice(start, end);
    start = end + 1;
    const tab = entry.indexOf('\t');
    const [mode, type, oid, size] = entry.slice(0, tab).split(/ +/);
    const path = entry.slice(tab + 1);
    const parts = path.split('/');
    if (parts.length < 2) continue;
    const appPath = `${parts[0]}/${parts[1]}`;
    if (parts.length === 2) {
      if (type !== 'tree') continue;
      const app: StoredApp = { files: new Map(), treeOid: oid };
      apps.set(appPath, app);
      let host = cluster.get(parts[0]);
      if (!host) cluster.set(parts[0], (host = new Map<string, StoredApp>()));
      host.set(parts[1], app);
      continue;
    }
    if (type === 'tree') continue;
    if (mode !== '100644' && mode !== '100755') {
      throw new OperationError(
        `The store commit ${commit} has '${path}' with mode ${mode}; only regular files can be deployed. Was the store edited by hand?`,
      );
    }
    apps.get(appPath)!.files.set(parts.slice(2).join('/'), { oid: oid, executable: mode === '100755', size: Number(size) });
  }
  return cluster;
}
