// A TCP proxy in front of one host's sshd, for fault tests that need a phase to last: a gate
// that holds new connections before they reach sshd (the client sits in "connecting"), and a
// bandwidth limit on what the client sends (an upload that takes a while). The kernel here has
// no netem, so this is how a slow link is made (see fleet.md).
import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { sleep } from './system.js';

export interface Proxy {
  /** Where clients connect, on 127.0.0.1. */
  readonly port: number;
  /** Connections accepted but held at the closed gate, not yet passed to sshd. */
  readonly held: number;
  /** Closes the gate: new connections wait until open(). */
  hold(): void;
  /** Opens the gate and lets the held connections through. */
  open(): void;
  /** Limits what clients send to sshd to this many bytes a second (null: no limit). */
  throttle(bytesPerSecond: number | null): void;
  close(): Promise<void>;
}

/** Slices small enough that the limit is smooth, large enough to keep timers few. */
const SLICE = 64 * 1024;

class ProxyImpl implements Proxy {
  private gateOpen = true;
  private readonly waiting: Socket[] = [];
  private readonly sockets = new Set<Socket>();
  private rate: number | null = null;

  constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly target: number,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  get held(): number {
    return this.waiting.filter((socket) => !socket.destroyed).length;
  }

  hold(): void {
    this.gateOpen = false;
  }

  open(): void {
    this.gateOpen = true;
    for (const client of this.waiting.splice(0)) if (!client.destroyed) this.forward(client);
  }

  throttle(bytesPerSecond: number | null): void {
    this.rate = bytesPerSecond;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  private accept(client: Socket): void {
    this.track(client);
    if (this.gateOpen) this.forward(client);
    else this.waiting.push(client);
  }

  private forward(client: Socket): void {
    const server = connect({ host: '127.0.0.1', port: this.target });
    this.track(server);
    const both = () => {
      client.destroy();
      server.destroy();
    };
    client.on('close', both);
    server.on('close', both);
    server.pipe(client);
    // Paused until the upstream connection is made, so nothing is lost or reordered.
    client.pause();
    server.once('connect', () => {
      this.pump(client, server);
      client.resume();
    });
  }

  /** Client to sshd, at most `rate` bytes a second. */
  private pump(from: Socket, to: Socket): void {
    from.on('data', (chunk: Buffer) => {
      from.pause();
      void (async () => {
        for (let at = 0; at < chunk.length && !to.destroyed; at += SLICE) {
          const part = chunk.subarray(at, at + SLICE);
          if (!to.write(part)) await Promise.race([once(to, 'drain'), once(to, 'close')]);
          if (this.rate !== null) await sleep((part.length * 1000) / this.rate);
        }
        if (!from.destroyed) from.resume();
      })().catch(() => {
        // sshd went away mid-write (a test killed it): `once` rejects with the socket's error.
        from.destroy();
        to.destroy();
      });
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Listens on `port` (a leased one: fleet.allocatePort()) and forwards to sshd on `target`. */
export async function startProxy(port: number, target: number): Promise<Proxy> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return new ProxyImpl(server, port, target);
}
