// A user's repository as the Action sees it: a bare "GitHub" remote (which also holds the
// store branch) and a checkout of it as GITHUB_WORKSPACE with the cluster directory.
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git, writeTree } from '../helpers/write-tree.js';

export interface ActionRepo {
  readonly dir: string;
  readonly remote: string;
  readonly workspace: string;
  /** Replaces the cluster directory `prod` with these files (`host/app/path` -> content). */
  write(files: Record<string, string>, settings?: unknown): Promise<void>;
  /** `git` in a fresh clone of the remote's store branch: what anyone would see after the run. */
  storeGit(...args: string[]): string;
  remove(): Promise<void>;
}

export async function actionRepo(): Promise<ActionRepo> {
  const dir = await mkdtemp(join(tmpdir(), 'deptool-action-'));
  const remote = join(dir, 'origin.git');
  const workspace = join(dir, 'workspace');
  git(dir, ['init', '--quiet', '--bare', remote]);
  git(dir, ['clone', '--quiet', remote, workspace]);
  const cluster = join(workspace, 'prod');
  return {
    dir,
    remote,
    workspace,
    async write(files, settings) {
      await rm(cluster, { recursive: true, force: true });
      await writeTree(cluster, files);
      if (settings !== undefined) await writeFile(join(cluster, 'deptool.json'), JSON.stringify(settings, null, 2));
    },
    storeGit(...args) {
      const clone = join(dir, `store-view-${Math.random().toString(36).slice(2)}`);
      git(dir, ['clone', '--quiet', '--branch', 'deptool/store', remote, clone]);
      try {
        return git(clone, args);
      } finally {
        rmSync(clone, { recursive: true, force: true });
      }
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
