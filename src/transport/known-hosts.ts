// OpenSSH known_hosts files: parsing, host lookup and the strict host key decision deptool always applies.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { OperationError } from '../errors.js';

/** One usable line of a known_hosts file. */
export interface KnownHostEntry {
  /** `revoked`: this key must be refused. `cert-authority` lines are parsed but never used (see parseKnownHosts). */
  readonly marker: 'revoked' | 'cert-authority' | null;
  /** The host field as written: comma-separated patterns, or one hashed `|1|salt|hmac` name. */
  readonly hosts: string;
  /** The key type inside the key blob (e.g. `ssh-ed25519`). */
  readonly keyType: string;
  /** The public key blob (the base64 field, decoded). */
  readonly key: Buffer;
  readonly file: string;
  readonly line: number;
}

/** A line that could not be read; OpenSSH skips these silently, we keep them for error messages. */
export interface SkippedLine {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

export interface KnownHosts {
  readonly files: readonly string[];
  readonly entries: readonly KnownHostEntry[];
  readonly skipped: readonly SkippedLine[];
}

/** What the server presented, in the forms OpenSSH shows. */
export interface PresentedKey {
  readonly keyType: string;
  /** `SHA256:` + unpadded base64, exactly as `ssh-keygen -lf` prints it. */
  readonly fingerprint: string;
}

export type HostKeyVerdict =
  | { readonly verdict: 'known'; readonly entry: KnownHostEntry }
  | { readonly verdict: 'unknown' }
  /** Entries exist for the host and key type, none with this key: the dangerous case. */
  | { readonly verdict: 'changed'; readonly expected: readonly KnownHostEntry[] }
  /** Entries exist for the host, but only of other key types. */
  | { readonly verdict: 'other-type'; readonly expected: readonly KnownHostEntry[] }
  | { readonly verdict: 'revoked'; readonly entry: KnownHostEntry };

/** Reads every file (a missing one counts as empty, as in OpenSSH). */
export async function loadKnownHosts(files: readonly string[]): Promise<KnownHosts> {
  const entries: KnownHostEntry[] = [];
  const skipped: SkippedLine[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      // Failing beats verifying against fewer keys than the user wrote down.
      throw new OperationError(`Cannot read the known_hosts file ${file}: ${(error as Error).message}. Make it readable, or remove it from UserKnownHostsFile.`);
    }
    const parsed = parseKnownHosts(text, file);
    entries.push(...parsed.entries);
    skipped.push(...parsed.skipped);
  }
  return { files, entries, skipped };
}

/**
 * Parses known_hosts text (sshd(8), SSH_KNOWN_HOSTS FILE FORMAT): `[marker] hosts keytype
 * base64 [comment]`, `#` comments and blank lines. Lines OpenSSH would ignore are returned
 * in `skipped`. `@cert-authority` lines are kept (marked) but never match: deptool does
 * not verify host certificates, so a host known only through a CA is "unknown" and needs
 * its own key line (ssh2 cannot negotiate certificate host keys anyway).
 */
export function parseKnownHosts(text: string, file: string): { entries: KnownHostEntry[]; skipped: SkippedLine[] } {
  const entries: KnownHostEntry[] = [];
  const skipped: SkippedLine[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.replace(/\r$/, '').trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/[ \t]+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0]?.startsWith('@')) {
      const name = fields.shift();
      if (name === '@revoked') marker = 'revoked';
      else if (name === '@cert-authority') marker = 'cert-authority';
      else return void skipped.push({ file, line, reason: `unknown marker ${name}` });
    }
    const [hosts, keyType, base64] = fields;
    if (hosts === undefined || keyType === undefined || base64 === undefined) {
      return void skipped.push({ file, line, reason: 'expected a host list, a key type and a base64 key' });
    }
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return void skipped.push({ file, line, reason: 'the key is not base64' });
    const key = Buffer.from(base64, 'base64');
    const blobType = keyTypeOf(key);
    if (blobType === undefined) return void skipped.push({ file, line, reason: 'the key is not an SSH public key blob' });
    // OpenSSH trusts the blob, not the type field; a disagreement means a damaged line.
    if (blobType !== keyType) return void skipped.push({ file, line, reason: `the key type field says ${keyType} but the key is ${blobType}` });
    if (hosts.startsWith('|') && parseHashed(hosts) === undefined) return void skipped.push({ file, line, reason: 'malformed hashed host name' });
    entries.push({ marker, hosts, keyType, key, file, line });
  });
  return { entries, skipped };
}

/** The name OpenSSH looks up: the bare host for port 22, `[host]:port` otherwise. */
export function knownHostsName(hostName: string, port: number): string {
  return port === 22 ? hostName : `[${hostName}]:${port}`;
}

/**
 * Whether an entry's host field matches `name` (from knownHostsName). Plain fields are
 * comma-separated patterns with `*` and `?`, compared case-insensitively; any matching
 * `!pattern` vetoes the line, as in OpenSSH's match_hostname. A hashed field is the
 * HMAC-SHA1 of the name keyed with the salt.
 */
export function hostsMatch(hosts: string, name: string): boolean {
  const lower = name.toLowerCase();
  if (hosts.startsWith('|')) {
    const hashed = parseHashed(hosts);
    if (hashed === undefined) return false;
    const actual = createHmac('sha1', hashed.salt).update(lower).digest();
    return actual.length === hashed.hash.length && timingSafeEqual(actual, hashed.hash);
  }
  let matched = false;
  for (const raw of hosts.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).toLowerCase();
    if (pattern === '' || !wildcardMatch(pattern, lower)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function parseHashed(hosts: string): { salt: Buffer; hash: Buffer } | undefined {
  // |1|base64(salt)|base64(hmac-sha1(salt, name)); 1 is the only hash type OpenSSH defines.
  const parts = hosts.split('|');
  if (parts.length !== 4 || parts[0] !== '' || parts[1] !== '1') return undefined;
  const salt = Buffer.from(parts[2] ?? '', 'base64');
  const hash = Buffer.from(parts[3] ?? '', 'base64');
  if (salt.length !== 20 || hash.length !== 20) return undefined;
  return { salt, hash };
}

/** OpenSSH's match_pattern: `*` any run, `?` one character, everything else literal (`[` too). */
function wildcardMatch(pattern: string, text: string): boolean {
  const source = [...pattern].map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+(){}[\]]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, 'su').test(text);
}

/** The entries that apply to a host; `@cert-authority` lines never do (see parseKnownHosts). */
export function entriesFor(known: KnownHosts, hostName: string, port: number): KnownHostEntry[] {
  const name = knownHostsName(hostName, port);
  return known.entries.filter((entry) => entry.marker !== 'cert-authority' && hostsMatch(entry.hosts, name));
}

/** Decides about a presented key blob given the entries that apply to its host (entriesFor). */
export function checkHostKey(entries: readonly KnownHostEntry[], key: Buffer): HostKeyVerdict {
  // A revoked key is refused even when another line lists it as good.
  const revoked = entries.find((entry) => entry.marker === 'revoked' && entry.key.equals(key));
  if (revoked) return { verdict: 'revoked', entry: revoked };
  const good = entries.filter((entry) => entry.marker === null);
  const known = good.find((entry) => entry.key.equals(key));
  if (known) return { verdict: 'known', entry: known };
  if (good.length === 0) return { verdict: 'unknown' };
  const type = keyTypeOf(key);
  const sameType = good.filter((entry) => entry.keyType === type);
  return sameType.length > 0 ? { verdict: 'changed', expected: sameType } : { verdict: 'other-type', expected: good };
}

/** The key type string at the start of an SSH public key blob, or undefined if it is not one. */
export function keyTypeOf(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || blob.length < 4 + length) return undefined;
  const type = blob.toString('latin1', 4, 4 + length);
  return /^[\x21-\x7e]+$/.test(type) ? type : undefined;
}

/** `SHA256:<base64 without padding>` of the blob, as `ssh-keygen -lf` and ssh print it. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

export function describeKey(blob: Buffer): PresentedKey {
  return { keyType: keyTypeOf(blob) ?? 'unknown', fingerprint: fingerprint(blob) };
}

/** ssh2's host key algorithms in its default preference order (certificates and DSA left out, as OpenSSH does). */
const HOST_KEY_ALGORITHMS: readonly string[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** An RSA key is one `ssh-rsa` blob, signed with any of these. */
function algorithmsFor(keyType: string): string[] {
  return keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [keyType];
}

/**
 * The host key algorithms to offer: those of the key types known for the host first, so a
 * server with several host keys presents one we can check (a host listed only with its
 * ed25519 key would otherwise be asked for, say, its ecdsa key and look changed). The
 * others follow, so a server that lost its known key type still completes the key
 * exchange and gets a clear "presented another key type" refusal instead of an opaque
 * "no matching host key type".
 */
export function hostKeyAlgorithms(entries: readonly KnownHostEntry[]): string[] {
  const knownTypes = new Set(entries.filter((entry) => entry.marker === null).flatMap((entry) => algorithmsFor(entry.keyType)));
  const first = HOST_KEY_ALGORITHMS.filter((algorithm) => knownTypes.has(algorithm));
  return [...first, ...HOST_KEY_ALGORITHMS.filter((algorithm) => !knownTypes.has(algorithm))];
}

/** The `-t` argument ssh-keyscan takes for a key type. */
export function keyscanType(keyType: string): string {
  if (keyType === 'ssh-ed25519') return 'ed25519';
  if (keyType === 'ssh-rsa') return 'rsa';
  if (keyType.startsWith('ecdsa-')) return 'ecdsa';
  return keyType;
}
