// Help from the registry: --help, `deptool help [COMMAND]`, wrapping, and the mistakes main answers.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { commandHelp, helpWidth, mainHelp, wrap } from '../../src/cli/help.js';
import { RUNS } from '../../src/cli/main.js';
import { COMMANDS, EXIT_CODES, findCommand } from '../../src/cli/registry.js';
import { ExitCode } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';

let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'deptool-help-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function put(path: string, content: string): Promise<void> {
  await mkdir(dirname(join(work, path)), { recursive: true });
  await writeFile(join(work, path), content);
}

/** The help's text with its line breaks and indentation undone. */
function flat(text: string): string {
  return text.replace(/\s+/g, ' ');
}

test('wrap breaks between words only, within the width, and keeps a longer word whole', () => {
  assert.deepEqual(wrap('one two three four', 9), ['one two', 'three', 'four']);
  assert.deepEqual(wrap('a  verylongword b', 5), ['a', 'verylongword', 'b']);
  assert.deepEqual(wrap('', 10), []);
});

test('the width is the terminal\'s, else 80', () => {
  assert.equal(helpWidth({ isTTY: true, columns: 120 }), 120);
  assert.equal(helpWidth({ isTTY: false, columns: 120 }), 80);
  assert.equal(helpWidth({}), 80);
});

test('the top-level help lists every command with its whole summary, within 80 columns', async () => {
  const result = await runCli(['--help'], { cwd: work });
  assert.equal(result.code, 0);
  assert.equal(result.stdout, mainHelp(80));
  for (const line of result.stdout.split('\n')) assert.ok(line.length <= 80, line);
  for (const command of COMMANDS) {
    assert.match(result.stdout, new RegExp(`^  ${command.name} `, 'm'));
    assert.ok(flat(result.stdout).includes(command.summary), command.summary);
  }
  for (const [code] of EXIT_CODES) assert.match(result.stdout, new RegExp(`^  ${code} `, 'm'));
});

test('on a narrow terminal no description is cut: every word is still there', () => {
  const narrow = commandHelp(findCommand('deploy')!, 50);
  for (const line of narrow.split('\n')) assert.ok(line.length <= 50 || !line.trim().includes(' '), line);
  assert.ok(flat(narrow).startsWith(`Usage: ${findCommand('deploy')!.synopsis} `));
  for (const paragraph of findCommand('deploy')!.description) assert.ok(flat(narrow).includes(paragraph), paragraph);
  for (const option of findCommand('deploy')!.options) assert.ok(flat(narrow).includes(option.help), option.help);
});

test('deptool with no command prints the help on stderr and exits 2', async () => {
  const result = await runCli([], { cwd: work });
  assert.equal(result.code, ExitCode.usage);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr, mainHelp(80));
});

test("'deptool help', 'deptool help COMMAND' and 'deptool COMMAND --help' print the same help", async () => {
  assert.equal((await runCli(['help'], { cwd: work })).stdout, mainHelp(80));
  for (const command of COMMANDS) {
    const help = await runCli(['help', command.name], { cwd: work });
    const flag = await runCli([command.name, '--help'], { cwd: work });
    assert.equal(help.code, 0);
    assert.equal(flag.code, 0);
    assert.equal(help.stdout, commandHelp(command, 80));
    assert.equal(flag.stdout, help.stdout);
    assert.ok(flat(help.stdout).startsWith(`Usage: ${command.synopsis} `), help.stdout);
    for (const line of help.stdout.split('\n')) assert.ok(line.length <= 80 || !line.trim().includes(' '), line);
    for (const option of command.options) assert.ok(flat(help.stdout).includes(option.help), `${command.name} --${option.name}`);
  }
});

test('help shows the flags of other tools with what they do here', () => {
  const help = flat(commandHelp(findCommand('deploy')!, 80));
  assert.ok(help.includes('--no-confirm From the original Deptool: the same as --yes.'), help);
  assert.ok(help.includes('--plan-only From the original Deptool: runs deptool plan (with --limit).'), help);
  assert.ok(help.includes('--local From the original Deptool, not accepted here.'), help);
});

test('every command of the registry runs something, and main runs nothing else', () => {
  assert.deepEqual(Object.keys(RUNS).sort(), COMMANDS.map((c) => c.name).sort());
});

test('every exit code of the registry is one deptool uses, and the other way round', () => {
  assert.deepEqual(EXIT_CODES.map(([code]) => code).sort(), Object.values(ExitCode).sort());
});

test('a mistyped command exits 2 with the one meant, on stderr', async () => {
  const result = await runCli(['deplyo'], { cwd: work });
  assert.equal(result.code, 2);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr, `deptool: Unknown command 'deplyo'. Did you mean "deploy"?\nRun 'deptool help' for what each command does.\n`);
  const help = await runCli(['help', 'deply'], { cwd: work });
  assert.equal(help.code, 2);
  assert.match(help.stderr, /^deptool help: Unknown command 'deply'\. Did you mean "deploy"\?/);
});

test('a mistyped option exits 2 and names the command, never with node\'s own message', async () => {
  await runCli(['init', 'prod'], { cwd: work });
  const result = await runCli(['deploy', '--dry-rn'], { cwd: work });
  assert.equal(result.code, 2);
  assert.equal(result.stderr, `deptool deploy: Unknown option '--dry-rn' for deploy. Did you mean "--dry-run"?\nRun 'deptool help deploy' for its arguments and options.\n`);
  for (const argv of [['deploy', '--limit'], ['plan', 'a', 'b'], ['deploy', '--no-such'], ['deploy', '--yes=1'], ['deploy', '--limit', '--yes']]) {
    const bad = await runCli(argv, { cwd: work });
    assert.equal(bad.code, 2, argv.join(' '));
    assert.doesNotMatch(bad.stderr, /ERR_PARSE_ARGS|To specify an option argument|Unexpected argument '[^']*$|'--[a-z-]+' argument/m, bad.stderr);
    assert.match(bad.stderr, new RegExp(`deptool help ${argv[0]}`));
  }
});

test('an option before the command is explained, not taken for a command', async () => {
  const result = await runCli(['--store', 'x', 'plan'], { cwd: work });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^deptool: Unknown option '--store' before the command: options come after it/);
});

test('deploy --plan-only prints what plan prints, and contacts no host', async () => {
  await runCli(['init', 'prod'], { cwd: work });
  await put('prod/webserver/caddy/Caddyfile', 'a\n');
  await put('prod/db/pg/pg.conf', 'a\n');
  const plan = await runCli(['plan', '--limit', 'db'], { cwd: work });
  const planOnly = await runCli(['deploy', '--plan-only', '--limit', 'db'], { cwd: work });
  assert.equal(planOnly.code, 0, planOnly.stderr);
  assert.equal(planOnly.stdout, plan.stdout);
  assert.equal(planOnly.stdout, 'db\n    add pg\n        + pg.conf\n\nAuto-rollback if deploy fails.\n');
});

test('deploy --no-confirm deploys without asking, as --yes does', async () => {
  await runCli(['init', 'prod'], { cwd: work });
  await put('prod/deptool.json', '{ "hosts": { "box": { "transport": "local" } } }');
  await put('sandbox/etc/hostname', 'box\n');
  await put('prod/box/app/conf', 'one\n');
  const result = await runCli(['deploy', '--no-confirm', '--root', 'sandbox'], { cwd: work });
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /\[y\/N\/d\] y \(--yes\)/);
  assert.equal(await readFile(join(work, 'sandbox/var/lib/deptool/apps/app/current/conf'), 'utf8'), 'one\n');
});

test('deploy --json still writes the result document on stdout', async () => {
  await runCli(['init', 'prod'], { cwd: work });
  await put('prod/deptool.json', '{ "hosts": { "box": { "transport": "local" } } }');
  await put('sandbox/etc/hostname', 'box\n');
  await put('prod/box/app/conf', 'one\n');
  const result = await runCli(['deploy', '--json', '--yes', '--root', 'sandbox'], { cwd: work });
  assert.equal(result.code, 0, result.stderr);
  const document = JSON.parse(result.stdout) as { cluster: string; exit_code: number; hosts: { host: string; status: string }[] };
  assert.equal(document.cluster, 'prod');
  assert.deepEqual(document.hosts.map((h) => [h.host, h.status]), [['box', 'deployed']]);
});
