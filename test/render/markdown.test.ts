// Tests for the Markdown plan: exact output, fences, binary and sensitive files, and the size budget.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { hostDigest } from '../../src/plan/json.js';
import type { AppPlan, FileChange, Plan, PlanContents, SymlinkChange, UnitChanges } from '../../src/plan/types.js';
import {
  COMMENT_BUDGET,
  COMMENT_LIMIT,
  JOB_SUMMARY_BUDGET,
  parsePlanMarker,
  planMarker,
  renderMarkdown,
  renderMarkdownReport,
  withStatusNote,
} from '../../src/render/markdown.js';
import { sensitiveFiles } from '../../src/render/sensitive.js';
import { fileDiff } from '../../src/render/unified-diff.js';
import { count, outsideCode, structure, toHtml } from '../helpers/gfm.js';

const NOTHING_SENSITIVE = sensitiveFiles([]);

type Side = string | Buffer | null;

interface FileSpec {
  readonly path: string;
  readonly old: Side;
  readonly new: Side;
  readonly oldExecutable?: boolean;
  readonly newExecutable?: boolean;
}

interface AppSpec {
  readonly app: string;
  readonly action?: AppPlan['action'];
  readonly files: readonly FileSpec[];
  readonly units?: Partial<UnitChanges>;
  readonly symlinks?: readonly SymlinkChange[];
}

interface HostSpec {
  readonly host: string;
  readonly apps: readonly AppSpec[];
  /** Reasons rollback is unavailable; none means available. */
  readonly noRollback?: readonly string[];
}

const buffer = (side: Side) => (typeof side === 'string' ? Buffer.from(side, 'utf8') : side);

/** A plan and its contents from in-memory file lists, as the planner would produce them. */
function fixture(
  hosts: readonly HostSpec[],
  extra: { upToDate?: readonly string[]; untracked?: readonly string[] } = {},
): { plan: Plan; contents: PlanContents } {
  const store = new Map<string, { old: Buffer | null; new: Buffer | null }>();
  const entry = (side: Side, executable: boolean) =>
    side === null ? null : { oid: createHash('sha1').update(buffer(side)!).digest('hex'), executable, size: buffer(side)!.length };
  const plan: Plan = {
    schema: 1,
    cluster: 'prod',
    base: '0123456789abcdef0123456789abcdef01234567',
    upToDate: extra.upToDate ?? [],
    untracked: extra.untracked ?? [],
    hosts: hosts.map((h) => ({
      host: h.host,
      newHost: false,
      rollback: { available: (h.noRollback ?? []).length === 0, reasons: h.noRollback ?? [] },
      apps: h.apps.map((a) => ({
        app: a.app,
        action: a.action ?? 'update',
        oldRev: '1111111111',
        newRev: '2222222222',
        files: a.files.map((f): FileChange => {
          store.set(`${h.host}/${a.app}/${f.path}`, { old: buffer(f.old), new: buffer(f.new) });
          return {
            path: f.path,
            change: f.old === null ? 'add' : f.new === null ? 'remove' : 'modify',
            old: entry(f.old, f.oldExecutable ?? false),
            new: entry(f.new, f.newExecutable ?? false),
          };
        }),
        symlinks: a.symlinks ?? [],
        sysusers: { link: [], unlink: [] },
        runSysusers: false,
        units: { link: [], unlink: [], disable: [], enable: [], restart: [], ...a.units },
      })),
    })),
  };
  return { plan, contents: { get: (host, app, path) => store.get(`${host}/${app}/${path}`)! } };
}

const DIGEST = 'sha256:5f1c0000000000000000000000000000000000000000000000000000000000aa';


/** The diff a fence should hold for one file: all of it, from the first hunk to the last. */
function bodyOf(contents: PlanContents, host: string, app: string, path: string): string {
  const { old, new: next } = contents.get(host, app, path);
  return fileDiff(path, old, next).body;
}

test('a small plan renders exactly as the sticky comment', () => {
  const { plan, contents } = fixture(
    [
      {
        host: 'webserver',
        noRollback: ['links /etc/tmpfiles.d/caddy.conf'],
        apps: [
          {
            app: 'caddy',
            files: [
              { path: 'Caddyfile', old: 'example.com {\n\troot * /srv\n}\n', new: 'example.com {\n\troot * /srv/www\n\tfile_server\n}\n' },
              { path: 'tmpfiles.conf', old: null, new: 'd /var/lib/caddy 0700 caddy caddy - -\n' },
            ],
            symlinks: [{ target: '/etc/tmpfiles.d/caddy.conf', change: 'link', source: 'tmpfiles.conf', oldSource: null }],
            units: { restart: ['caddy.service'] },
          },
        ],
      },
    ],
    { upToDate: ['db'], untracked: ['old-box'] },
  );
  const markdown = renderMarkdown(plan, contents, {
    sensitive: NOTHING_SENSITIVE,
    digest: DIGEST,
    header: 'Planned by [run 42](https://github.com/acme/infra/actions/runs/42).',
  });
  assert.equal(
    markdown,
    [
      `<!-- deptool-plan cluster=prod schema=1 digest=${DIGEST} hosts=${hostDigest(plan, plan.hosts[0])} -->`,
      '### deptool plan for cluster `prod`',
      '',
      'Planned by [run 42](https://github.com/acme/infra/actions/runs/42).',
      '',
      '1 host to change, 1 up to date.',
      '',
      '| Host | App | Action | Files | Units restarted | Rollback |',
      '| - | - | - | - | - | - |',
      '| `webserver` | `caddy` | update | +1 ~1 -0 | `caddy.service` | ⚠️ unavailable: `links /etc/tmpfiles.d/caddy.conf` |',
      '',
      '<details>',
      '<summary><code>webserver</code>: 1 app, files +1 ~1 -0, rollback unavailable</summary>',
      '',
      '```',
      'update caddy',
      '    ~ Caddyfile',
      '    + tmpfiles.conf',
      '    link /etc/tmpfiles.d/caddy.conf -> tmpfiles.conf',
      '    restart unit caddy.service',
      '```',
      '',
      '<details>',
      '<summary><code>~ caddy/Caddyfile</code> (+2 −1)</summary>',
      '',
      '```diff',
      '@@ -1,3 +1,4 @@',
      ' example.com {',
      '-\troot * /srv',
      '+\troot * /srv/www',
      '+\tfile_server',
      ' }',
      '```',
      '',
      '</details>',
      '',
      '<details>',
      '<summary><code>+ caddy/tmpfiles.conf</code> (+1 −0)</summary>',
      '',
      '```diff',
      '@@ -0,0 +1 @@',
      '+d /var/lib/caddy 0700 caddy caddy - -',
      '```',
      '',
      '</details>',
      '',
      '</details>',
      '',
      'Left alone (in the store, not in the config tree): `old-box`.',
      '',
      `<sub>Plan digest <code>${DIGEST}</code>, computed against store commit <code>0123456789</code>.</sub>`,
      '',
    ].join('\n'),
  );
});

test('a plan with nothing to do says every host is up to date', () => {
  const { plan, contents } = fixture([], { upToDate: ['db', 'webserver'] });
  const report = renderMarkdownReport(plan, contents, { sensitive: NOTHING_SENSITIVE, digest: DIGEST });
  assert.equal(
    report.markdown,
    [
      `<!-- deptool-plan cluster=prod schema=1 digest=${DIGEST} hosts= -->`,
      '### deptool plan for cluster `prod`',
      '',
      'All hosts in cluster `prod` are up to date.',
      '',
      `<sub>Plan digest <code>${DIGEST}</code>, computed against store commit <code>0123456789</code>.</sub>`,
      '',
    ].join('\n'),
  );
  assert.ok(report.complete);
});

test('a diff fence is longer than the longest backtick run in the diff', () => {
  const { plan, contents } = fixture([
    {
      host: 'docs',
      apps: [{ app: 'site', files: [{ path: 'README.md', old: 'intro\n', new: 'intro\n````sh\n```\nmake\n````\n' }] }],
    },
  ]);
  const markdown = renderMarkdown(plan, contents, { sensitive: NOTHING_SENSITIVE, digest: DIGEST });
  assert.ok(markdown.includes('\n`````diff\n@@ -1 +1,5 @@\n'));
  const diffs = structure(markdown).filter((f) => f.info === 'diff');
  assert.deepEqual(
    diffs.map((f) => f.content),
    [bodyOf(contents, 'docs', 'site', 'README.md')],
  );
  assert.equal(count(toHtml(markdown), '<pre>'), 2);
  assert.ok(!outsideCode(toHtml(markdown)).includes('make'));
});

test('a binary file shows its sizes and no content', () => {
  const old = Buffer.concat([Buffer.from('\x89PNG\0'), Buffer.alloc(1224, 7)]);
  const next = Buffer.concat([Buffer.from('\x89PNG\0'), Buffer.alloc(1322, 9)]);
  const { plan, contents } = fixture([{ host: 'web', apps: [{ app: 'site', files: [{ path: 'logo.png', old, new: next }] }] }]);
  const markdown = renderMarkdown(plan, contents, { sensitive: NOTHING_SENSITIVE, digest: DIGEST });
  assert.ok(markdown.includes('\n`~ site/logo.png`: Binary file changed (1.2 KiB → 1.3 KiB)\n'));
  assert.ok(!markdown.includes('PNG'));
  assert.equal(structure(markdown).filter((f) => f.info === 'diff').length, 0);
});

test('a sensitive file shows only sha256 prefixes, never content or line counts', () => {
  const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
  const oldSecret = 'TOKEN=hunter2-SECRET\nUSER=ci\n';
  const newSecret = 'TOKEN=swordfish-SECRET\nUSER=ci\n';
  const { plan, contents } = fixture([
    {
      host: 'web',
      apps: [
        {
          app: 'api',
          files: [
            { path: '.env', old: oldSecret, new: newSecret },
            { path: 'keys/new.pem', old: null, new: 'BEGIN-SECRET-KEY\n' },
            { path: 'keys/old.pem', old: 'RETIRED-SECRET-KEY\n', new: null },
            { path: 'keys/run.sh', old: 'exec SECRET\n', new: 'exec SECRET\n', oldExecutable: false, newExecutable: true },
          ],
        },
      ],
    },
  ]);
  for (const budget of [COMMENT_BUDGET, 600]) {
    const markdown = renderMarkdown(plan, contents, { sensitive: sensitiveFiles(['web/*/.env', 'web/api/keys/**']), digest: DIGEST, budget });
    assert.ok(!markdown.includes('SECRET'), markdown);
    assert.ok(!markdown.includes('hunter2') && !markdown.includes('swordfish') && !markdown.includes('USER'));
    assert.ok(!markdown.includes('(+') && !markdown.includes('−'), 'no line counts');
    if (budget === COMMENT_BUDGET) {
      assert.ok(markdown.includes(`\n\`~ api/.env\`: content changed (sha256 ${sha(oldSecret)} → ${sha(newSecret)})\n`));
      assert.ok(markdown.includes(`\n\`+ api/keys/new.pem\`: content added (sha256 ${sha('BEGIN-SECRET-KEY\n')})\n`));
      assert.ok(markdown.includes(`\n\`- api/keys/old.pem\`: content removed (sha256 ${sha('RETIRED-SECRET-KEY\n')})\n`));
      assert.ok(markdown.includes('\n`~ api/keys/run.sh`: mode 100644 → 100755\n'));
    }
  }
});

/** A config file of `lines` lines in which every line holds something that must stay inside its fence. */
function hostileFile(host: number, lines: number, version: string): string {
  const tricks = ['```', '</details>', '<!-- deptool-plan', '| a | b |', '    indented', '<details>', '~~~', '`` x ``'];
  return Array.from({ length: lines }, (_, i) => `LEAK ${host}.${i} ${i % 3 === 0 ? version : ''} ${tricks[i % tricks.length]}\n`).join('');
}

/** Hosts in ten groups, each group with its own large diffs, as a fleet-wide change tends to look. */
function bigFleet(hosts: number) {
  return fixture(
    Array.from({ length: hosts }, (_, h) => ({
      host: `host${String(h).padStart(3, '0')}`,
      apps: [
        {
          app: 'app',
          files: [
            { path: 'big.conf', old: hostileFile(h % 10, 300, 'v1'), new: hostileFile(h % 10, 300, 'v2') },
            { path: 'mid.conf', old: hostileFile(h % 10, 40, 'v1'), new: hostileFile(h % 10, 40, 'v2') },
            { path: 'small.conf', old: 'LEAK a\nb\n', new: 'LEAK a\nc\n' },
          ],
          units: { restart: ['app.service'] },
        },
      ],
    })),
  );
}

/**
 * Checks what GitHub would make of the fleet's Markdown: blocks closed, no file content
 * outside a code block, and every diff shown whole. Returns how many diffs are shown.
 */
function assertWellFormedFleet(markdown: string, plan: Plan, contents: PlanContents): number {
  const fences = structure(markdown);
  const html = toHtml(markdown);
  assert.equal(count(html, '<pre>'), fences.length);
  assert.equal(count(html, '<details>'), count(html, '</details>'));
  assert.ok(!outsideCode(html).includes('LEAK'), 'file content outside a code block');
  assert.equal(count(html, '<table>'), 1);
  assert.equal(count(html, '<tr>'), plan.hosts.length + 1);
  const groups = plan.hosts.slice(0, 10).map((h) => h.host);
  const bodies = new Set(groups.flatMap((host) => ['big.conf', 'mid.conf', 'small.conf'].map((path) => bodyOf(contents, host, 'app', path))));
  const diffs = fences.filter((f) => f.info === 'diff');
  for (const f of diffs) assert.ok(bodies.has(f.content), 'a diff is shown whole');
  return diffs.length;
}

test('a plan of 200 hosts with large diffs stays under the comment limit with every block closed', () => {
  const { plan, contents } = bigFleet(200);
  const report = renderMarkdownReport(plan, contents, { sensitive: NOTHING_SENSITIVE, digest: DIGEST });
  assert.ok(report.markdown.length < COMMENT_BUDGET);
  assert.ok(report.collapsedHosts > 0 && report.collapsedDiffs > 0 && report.omittedHosts === 0);
  assertWellFormedFleet(report.markdown, plan, contents);
});

test('the job summary variant shows the diffs of the same plan under 1 MiB in bytes', () => {
  const { plan, contents } = bigFleet(200);
  const summary = renderMarkdownReport(plan, contents, {
    sensitive: NOTHING_SENSITIVE,
    digest: DIGEST,
    budget: JOB_SUMMARY_BUDGET,
    unit: 'utf8',
    fullPlanAt: null,
  });
  assert.ok(Buffer.byteLength(summary.markdown) < JOB_SUMMARY_BUDGET);
  assert.equal(summary.collapsedHosts, 0);
  assert.ok(summary.collapsedDiffs > 0);
  assert.ok(assertWellFormedFleet(summary.markdown, plan, contents) > 200);
});

test('collapsing replaces the largest diffs first and never cuts a diff', () => {
  const file = (path: string, lines: number) => ({ path, old: hostileFile(0, lines, 'v1'), new: hostileFile(0, lines, 'v2') });
  const { plan, contents } = fixture([
    { host: 'web', apps: [{ app: 'app', files: [file('a.conf', 30), file('huge.conf', 900), file('z.conf', 60)] }] },
  ]);
  const options = { sensitive: NOTHING_SENSITIVE, digest: DIGEST };
  const full = renderMarkdownReport(plan, contents, { ...options, budget: 10_000_000 });
  assert.ok(full.complete);
  const [small, huge, medium] = ['a.conf', 'huge.conf', 'z.conf'].map((name) => bodyOf(contents, 'web', 'app', name)) as [
    string,
    string,
    string,
  ];
  const budget = full.markdown.length - huge.length / 2;
  const report = renderMarkdownReport(plan, contents, { ...options, budget });
  assert.ok(report.markdown.length < budget);
  assert.equal(report.collapsedDiffs, 1);
  assert.ok(report.markdown.includes('\n`~ app/huge.conf` (+300 −300, diff too large to show here; see the job summary)\n'));
  const diffs = structure(report.markdown).filter((f) => f.info === 'diff');
  assert.deepEqual(
    diffs.map((f) => f.content),
    [small, medium],
  );

  const tight = renderMarkdownReport(plan, contents, { ...options, budget: full.markdown.length - huge.length - medium.length / 2 });
  assert.equal(tight.collapsedDiffs, 2);
  assert.deepEqual(
    structure(tight.markdown)
      .filter((f) => f.info === 'diff')
      .map((f) => f.content),
    [small],
  );
});

test('a host whose stat lines alone are too large collapses to one line while other hosts keep their diffs', () => {
  const many = Array.from({ length: 400 }, (_, i) => ({ path: `conf.d/${i}.conf`, old: `a ${i}\n`, new: `b ${i}\n` }));
  const { plan, contents } = fixture([
    { host: 'alpha', apps: [{ app: 'app', files: [{ path: 'x.conf', old: 'LEAK 1\n', new: 'LEAK 2\n' }] }] },
    { host: 'huge', apps: [{ app: 'app', files: many }], noRollback: ['enables app.service'] },
    { host: 'omega', apps: [{ app: 'app', files: [{ path: 'y.conf', old: 'LEAK 3\n', new: 'LEAK 4\n' }] }] },
  ]);
  const report = renderMarkdownReport(plan, contents, { sensitive: NOTHING_SENSITIVE, digest: DIGEST, budget: 8000, fullPlanAt: null });
  assert.ok(report.markdown.length < 8000);
  assert.deepEqual([report.collapsedHosts, report.collapsedDiffs, report.omittedHosts], [1, 0, 0]);
  assert.ok(report.markdown.includes('\n`huge`: 1 app, files +0 ~400 -0, rollback unavailable (too large to show here)\n'));
  assert.equal(structure(report.markdown).filter((f) => f.info === 'diff').length, 2);
  assert.ok(!outsideCode(toHtml(report.markdown)).includes('LEAK'));
});

test('as a last resort only the table remains, cut short with a count of what is left out', () => {
  const { plan, contents } = fixture(
    Array.from({ length: 120 }, (_, h) => ({
      host: `host${h}`,
      apps: ['api', 'web'].map((app) => ({ app, files: [{ path: 'c', old: 'LEAK\n', new: 'LEAK!\n' }] })),
    })),
  );
  const report = renderMarkdownReport(plan, contents, { sensitive: NOTHING_SENSITIVE, digest: DIGEST, budget: 3000 });
  assert.ok(report.markdown.length < 3000);
  assert.equal(report.omittedHosts, 120);
  assert.ok(report.omittedRows > 0);
  assert.ok(report.markdown.includes(`\n…and ${report.omittedRows} more rows (too many to show here; see the job summary).\n`));
  assert.ok(report.markdown.includes('\nDetails of 120 hosts are too large to show here; see the job summary.\n'));
  assert.ok(!report.markdown.includes('LEAK'));
  const html = toHtml(report.markdown);
  assert.equal(count(html, '<tr>'), 240 - report.omittedRows + 1);

  const tableOnly = renderMarkdownReport(plan, contents, { sensitive: NOTHING_SENSITIVE, digest: DIGEST, budget: 40_000 });
  assert.deepEqual([tableOnly.omittedHosts, tableOnly.omittedRows], [0, 0]);
});

test('a budget too small for the summary itself is refused', () => {
  const { plan, contents } = fixture([{ host: 'web', apps: [{ app: 'app', files: [{ path: 'c', old: 'a\n', new: 'b\n' }] }] }]);
  assert.throws(() => renderMarkdown(plan, contents, { sensitive: NOTHING_SENSITIVE, digest: DIGEST, budget: 100 }), RangeError);
});

test('the budget counts UTF-8 bytes when asked, for the job summary', () => {
  const accented = (v: string) => Array.from({ length: 300 }, (_, i) => `éèê ${i} ${v}\n`).join('');
  const { plan, contents } = fixture([
    { host: 'web', apps: [{ app: 'app', files: [{ path: 'a', old: accented('1'), new: accented('2') }] }] },
  ]);
  const full = renderMarkdown(plan, contents, { sensitive: NOTHING_SENSITIVE, digest: DIGEST });
  const options = { sensitive: NOTHING_SENSITIVE, digest: DIGEST, budget: full.length + 1 };
  assert.ok(renderMarkdownReport(plan, contents, options).complete);
  const bytes = renderMarkdownReport(plan, contents, { ...options, unit: 'utf8' });
  assert.ok(Buffer.byteLength(bytes.markdown) < full.length + 1);
  assert.equal(bytes.collapsedDiffs, 1);
});

test('names with Markdown, HTML, pipes and newlines stay inside their cells and code', () => {
  const { plan, contents } = fixture([
    {
      host: 'web',
      noRollback: ['links /etc/a|b'],
      apps: [
        {
          app: 'app',
          files: [{ path: 'we|ird `x` <b>bold</b>\n# @team.conf', old: 'a\n', new: 'b\n' }],
          units: { restart: ['we|rd@1.service', '`tick`.service'] },
        },
      ],
    },
  ]);
  const markdown = renderMarkdown(plan, contents, { sensitive: NOTHING_SENSITIVE, digest: DIGEST });
  structure(markdown);
  const html = toHtml(markdown);
  assert.equal(count(html, '<td>'), 6);
  assert.ok(html.includes('<td><code>we|rd@1.service</code>, <code>`tick`.service</code></td>'));
  assert.ok(html.includes('<td>⚠️ unavailable: <code>links /etc/a|b</code></td>'));
  assert.ok(markdown.includes('<summary><code>~ app/we|ird `x` &lt;b&gt;bold&lt;/b&gt;\\x0a# @team.conf</code> (+1 −1)</summary>'));
  assert.ok(!html.includes('<b>') && !html.includes('<h1>'));
});

test('the marker round-trips cluster names that could end an HTML comment, and host digests', () => {
  const marker = { cluster: 'prod --> <b> é', schema: 1, digest: DIGEST, hosts: ['AAAAAAAAAAAAAAAAAAAAAA', 'z-_9z-_9z-_9z-_9z-_9zw'] };
  const line = planMarker(marker);
  assert.ok(!line.slice('<!--'.length, -'-->'.length).includes('>'), 'nothing inside can end the comment');
  assert.deepEqual(parsePlanMarker(`${line}\n### deptool plan`), marker);
  assert.deepEqual(parsePlanMarker(planMarker({ ...marker, hosts: [] })), { ...marker, hosts: [] });
  assert.equal(parsePlanMarker(`Some comment\n${line}`), null);
  assert.equal(parsePlanMarker('<!-- deptool-plan cluster=%E0 schema=1 digest=x -->'), null);
  assert.equal(parsePlanMarker(`<!-- deptool-plan cluster=prod schema=1 digest=${DIGEST} hosts=a,,b -->`), null);
});

test('a marker written before per-host digests still reads, without host digests', () => {
  const old = `<!-- deptool-plan cluster=prod schema=1 digest=${DIGEST} -->\n### deptool plan for cluster \`prod\``;
  assert.deepEqual(parsePlanMarker(old), { cluster: 'prod', schema: 1, digest: DIGEST, hosts: null });
});

/** A change on each of `count` hosts, with names as long as a fully qualified domain name. */
function fleet(count: number): { plan: Plan; contents: PlanContents } {
  return fixture(
    Array.from({ length: count }, (_, h) => ({
      host: `web-${String(h).padStart(4, '0')}.eu-west-1.prod.example.com`,
      apps: [{ app: 'site', files: [{ path: 'index.html', old: `v1 ${h}\n`, new: `v2 ${h}\n` }], units: { restart: ['site.service'] } }],
    })),
  );
}

test('the marker of 1,000 hosts carries every host digest within the comment budget', () => {
  const { plan, contents } = fleet(1000);
  const markdown = renderMarkdown(plan, contents, { sensitive: NOTHING_SENSITIVE, digest: DIGEST });
  assert.ok(markdown.length <= COMMENT_BUDGET, `comment of ${markdown.length} characters`);
  const marker = parsePlanMarker(markdown)!;
  assert.deepEqual(marker.hosts, plan.hosts.map((h) => hostDigest(plan, h)));
  assert.equal(new Set(marker.hosts).size, 1000);
  const size = markdown.indexOf('\n');
  assert.ok(size < COMMENT_BUDGET / 2, `a marker of ${size} characters`);
  assert.match(markdown, /\| `web-0000\.eu-west-1\.prod\.example\.com` \| `site` \| update \|/);
  assert.match(markdown, /…and \d+ more rows \(too many to show here; see the job summary\)/);
});

test('a plan too large for its host digests gets a marker without them, not a failure', () => {
  const { plan, contents } = fleet(1500);
  const markdown = renderMarkdown(plan, contents, { sensitive: NOTHING_SENSITIVE, digest: DIGEST });
  assert.ok(markdown.length <= COMMENT_BUDGET);
  assert.deepEqual(parsePlanMarker(markdown), { cluster: 'prod', schema: 1, digest: DIGEST, hosts: null });
  const summary = renderMarkdown(plan, contents, { sensitive: NOTHING_SENSITIVE, digest: DIGEST, budget: JOB_SUMMARY_BUDGET, unit: 'utf8' });
  assert.equal(parsePlanMarker(summary)!.hosts!.length, 1500, 'the 1 MiB job summary has room for them');
});

test('a status note goes under the heading, replaces the previous one and leaves the marker and plan alone', () => {
  const { plan, contents } = fixture([{ host: 'web', apps: [{ app: 'app', files: [{ path: 'c', old: 'a\n', new: 'b\n' }] }] }]);
  const body = renderMarkdown(plan, contents, { sensitive: NOTHING_SENSITIVE, digest: DIGEST });
  const [markerLine, heading] = body.split('\n');
  const first = withStatusNote(body, ['⛔ **Not deployed** by run 1.']);
  assert.deepEqual(first.split('\n').slice(0, 2), [markerLine, heading]);
  assert.ok(first.endsWith(body.slice(markerLine.length + heading.length + 1)), 'the plan after the note is unchanged');
  const second = withStatusNote(first, ['⛔ **Not deployed** by run 2.']);
  assert.equal(count(second, 'Not deployed'), 1);
  assert.equal(second, withStatusNote(body, ['⛔ **Not deployed** by run 2.']));
  assert.equal(withStatusNote(second, []), body, 'no note is the plan as the plan job wrote it');
  const html = toHtml(second);
  assert.ok(html.includes('<p>⛔ <strong>Not deployed</strong> by run 2.</p>'), html);
  assert.equal(html.indexOf('<h3>') < html.indexOf('Not deployed'), true);
  assert.deepEqual(parsePlanMarker(second), parsePlanMarker(body));
});

test('a status note that would pass GitHub\'s limit gives way to a shorter one, or to none', () => {
  const { plan, contents } = fleet(1000);
  const body = renderMarkdown(plan, contents, { sensitive: NOTHING_SENSITIVE, digest: DIGEST });
  assert.ok(body.length > COMMENT_BUDGET - 1000, `a comment of ${body.length} characters fills the budget`);
  const long = `long ${'x'.repeat(COMMENT_LIMIT - body.length)}`;
  const noted = withStatusNote(body, [long, 'short']);
  assert.ok(noted.includes('\n\nshort\n\n') && !noted.includes('long'));
  assert.ok(noted.length <= COMMENT_LIMIT);
  assert.equal(withStatusNote(body, [long]), body);
});
