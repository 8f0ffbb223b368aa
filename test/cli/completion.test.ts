// `deptool completion bash|zsh|fish`: each script is produced from the registry, is valid in its
// shell, and completes commands, options and the cluster's host and app names there.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { SHELLS, completionScript } from '../../src/cli/completion.js';
import { COMMANDS, GLOBAL_OPTIONS } from '../../src/cli/registry.js';
import { runCli } from '../helpers/cli.js';

let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'deptool-completion-'));
  // A store whose default cluster is prod, and a second cluster to name on the command line.
  await runCli(['init', 'prod'], { cwd: work });
  for (const dir of ['prod/web1/caddy', 'prod/web2/pg', 'staging/stage1/app']) await mkdir(join(work, dir), { recursive: true });
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

function installed(shell: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;
}

/** Runs a shell on a script in the work directory; fails the test on a non-zero exit. */
function run(shell: string, args: string[], script?: string): string {
  const result = spawnSync(shell, args, { cwd: work, input: script, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: work } });
  assert.equal(result.status, 0, `${shell} ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

test('deptool completion prints the script for each shell, naming every command and option', async () => {
  for (const shell of SHELLS) {
    const result = await runCli(['completion', shell], { cwd: work });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, completionScript(shell));
    for (const command of COMMANDS) {
      assert.ok(result.stdout.includes(command.name), `${shell}: ${command.name}`);
      for (const option of [...command.options, ...GLOBAL_OPTIONS]) assert.ok(result.stdout.includes(`${shell === 'fish' ? '-l ' : '--'}${option.name}`), `${shell}: --${option.name}`);
    }
  }
  const unknown = await runCli(['completion', 'tcsh'], { cwd: work });
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr, "deptool completion: No completion for the shell 'tcsh': deptool completes in bash, zsh and fish.\n");
});

test('bash accepts the script and completes commands, options, hosts, apps and arguments', async () => {
  const script = join(work, 'deptool.bash');
  await writeFile(script, completionScript('bash'));
  run('bash', ['-n', script]);
  const complete = (...words: string[]) =>
    run(
      'bash',
      ['-c', `source ${script}; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _deptool; printf '%s\\n' "\${COMPREPLY[@]}"`, 'bash', 'deptool', ...words],
    )
      .split('\n')
      .filter((l) => l.length > 0);
  assert.deepEqual(complete('depl'), ['deploy']);
  assert.deepEqual(complete('ro'), ['rollback']);
  assert.deepEqual(complete('deploy', '--dry'), ['--dry-run']);
  assert.deepEqual(complete('deploy', '--no-'), [], 'habits are accepted, not offered');
  assert.deepEqual(complete('status', '--li'), ['--limit']);
  assert.deepEqual(complete('deploy', '--limit', ''), ['web1', 'web2']);
  assert.deepEqual(complete('deploy', '--limit', 'web1,'), ['web1,web1', 'web1,web2']);
  assert.deepEqual(complete('deploy', 'staging', '--limit', ''), ['stage1']);
  assert.deepEqual(complete('log', '--store', '.deptool', '--host', 'w'), ['web1', 'web2']);
  assert.deepEqual(complete('rollback', '--host', 'web1', '--app', ''), ['caddy', 'pg']);
  assert.deepEqual(complete('rollback', '--to', ''), ['previous']);
  assert.deepEqual(complete('help', 'd'), ['diff', 'deploy']);
  assert.deepEqual(complete('completion', ''), ['bash', 'zsh', 'fish']);
  assert.deepEqual(complete('plan', 'st'), ['staging']);
  assert.deepEqual(complete('plan', '').sort(), ['prod', 'staging']);
  assert.deepEqual(complete('plan', '.de'), ['.deptool']);
  assert.deepEqual(complete('plan', 'prod', ''), [], 'DIR is given once');
});

test('zsh accepts the script, registers it, and finds the hosts and apps of the cluster', async (t) => {
  const script = join(work, '_deptool');
  await writeFile(script, completionScript('zsh'));
  assert.match(completionScript('zsh'), /^#compdef deptool\n/);
  if (!installed('zsh')) {
    t.diagnostic('zsh is not installed: its script was checked as text only');
    return;
  }
  run('zsh', ['-n', script]);
  // _values and _message are the completion system's; here they print what they were given.
  const calls = [
    'line=(); _deptool_hosts',
    'line=(staging); _deptool_hosts',
    'line=(); _deptool_apps',
    'line=(); opt_args[--store]=elsewhere; _deptool_hosts',
  ].join('; ');
  const output = run(
    'zsh',
    ['-f', '-c', `autoload -U compinit; compinit -u -D; source ${script}; print -r -- $_comps[deptool]; _values() { print -r -- "$@" }; _message() { print -r -- none "$@" }; typeset -A opt_args; ${calls}`],
  );
  assert.equal(output, '_deptool\n-s , host web1 web2\n-s , host stage1\n-s , app caddy pg\nnone host\n');
});

test('fish accepts the script and completes commands, options, hosts and apps', async (t) => {
  const script = join(work, 'deptool.fish');
  await writeFile(script, completionScript('fish'));
  if (!installed('fish')) {
    t.diagnostic('fish is not installed: its script was checked as text only');
    assert.match(completionScript('fish'), /^complete -c deptool -n '__fish_seen_subcommand_from deploy' -l limit -r -f -a '\(__deptool_names hosts\)'/m);
    return;
  }
  run('fish', ['-n', script]);
  const complete = (line: string) =>
    run('fish', ['-c', `source ${script}; complete -C ${JSON.stringify(line)}`])
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => l.split('\t')[0]);
  assert.deepEqual(complete('deptool depl'), ['deploy']);
  assert.deepEqual(complete('deptool deploy --dry'), ['--dry-run']);
  assert.deepEqual(complete('deptool deploy --limit '), ['web1', 'web2']);
  assert.deepEqual(complete('deptool deploy staging --limit '), ['stage1']);
  assert.deepEqual(complete('deptool rollback --host web1 --app '), ['caddy', 'pg']);
  assert.deepEqual(complete('deptool completion '), ['bash', 'fish', 'zsh']);
});
