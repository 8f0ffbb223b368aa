// Attempt commit messages: the documented format, and parsing that is not fooled by look-alikes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMessage, parseMessage } from '../../src/store/message.js';

test('a message has the title, the body, then results and trailers as the last paragraph', () => {
  const message = formatMessage(
    'Update caddy on webserver',
    '\nThe plan was reviewed.  \n\n',
    [
      { host: 'webserver', status: 'deployed' },
      { host: 'db1', status: 'rolled-back', detail: 'caddy.service failed\nto start' },
    ],
    { planDigest: 'sha256:4f1c', runUrl: 'https://github.com/o/r/actions/runs/1', pullRequest: '42', actor: 'alice' },
  );
  assert.equal(
    message,
    [
      'Update caddy on webserver',
      '',
      'The plan was reviewed.',
      '',
      'Deptool-Result: webserver deployed',
      'Deptool-Result: db1 rolled-back: caddy.service failed to start',
      'Deptool-Plan-Digest: sha256:4f1c',
      'Deptool-Run-URL: https://github.com/o/r/actions/runs/1',
      'Deptool-Pull-Request: 42',
      'Deptool-Actor: alice',
      '',
    ].join('\n'),
  );
  assert.deepEqual(parseMessage(message), {
    title: 'Update caddy on webserver',
    body: 'The plan was reviewed.',
    results: [
      { host: 'webserver', status: 'deployed' },
      { host: 'db1', status: 'rolled-back', detail: 'caddy.service failed to start' },
    ],
    trailers: { planDigest: 'sha256:4f1c', runUrl: 'https://github.com/o/r/actions/runs/1', pullRequest: '42', actor: 'alice' },
  });
});

test('trailer-like text in the title or body is not taken for results', () => {
  const body = 'Deptool-Result: evil deployed\nDeptool-Actor: mallory\n\nSee https://example.com\n\n  indented: keep\n\nDeptool-Result: evil2 failed';
  const message = formatMessage('Deptool-Result: title deployed', body, [{ host: 'web', status: 'failed' }], undefined);
  const parsed = parseMessage(message);
  assert.equal(parsed.title, 'Deptool-Result: title deployed');
  assert.equal(parsed.body, body);
  assert.deepEqual(parsed.results, [{ host: 'web', status: 'failed' }]);
  assert.deepEqual(parsed.trailers, {});
});

test('a commit deptool did not write has no results and keeps its whole body', () => {
  assert.deepEqual(parseMessage('Initial commit\n\nSome text.\n\nSigned-off-by: A <a@example.com>\n'), {
    title: 'Initial commit',
    body: 'Some text.\n\nSigned-off-by: A <a@example.com>',
    results: [],
    trailers: {},
  });
  assert.deepEqual(parseMessage('Deptool-Result: web deployed\n'), { title: 'Deptool-Result: web deployed', body: '', results: [], trailers: {} });
  assert.deepEqual(parseMessage(''), { title: '', body: '', results: [], trailers: {} });
});

test('trailers added by other tools, continuation lines, case and malformed results are handled', () => {
  const message = [
    'Title',
    '',
    'deptool-result: web DEPLOYED',
    'Deptool-Result: web deployed: long',
    '  detail',
    'Deptool-Result: web exploded',
    'Signed-off-by: A <a@example.com>',
    'DEPTOOL-ACTOR: bob',
    'Deptool-Actor: carol',
    '',
  ].join('\n');
  assert.deepEqual(parseMessage(message), {
    title: 'Title',
    body: '',
    results: [{ host: 'web', status: 'deployed', detail: 'long detail' }],
    trailers: { actor: 'bob' },
  });
});

test('a last paragraph with a line that is not a trailer is body text', () => {
  const parsed = parseMessage('Title\n\nDeptool-Result: web deployed\nnot a trailer\n');
  assert.deepEqual(parsed.results, []);
  assert.equal(parsed.body, 'Deptool-Result: web deployed\nnot a trailer');
});
