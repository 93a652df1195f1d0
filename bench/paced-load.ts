// An open-loop, evenly paced HTTP load generator over keep-alive connections (the wrk2 model).
//
// Why not autocannon's `overallRate`: autocannon gives each connection a quota per second and resets it
// with a one-second interval, so each second's requests leave in one burst at its start and then nothing
// until the next second. A server then sees saturation bursts at any offered rate, and the latency it
// reports at "2,000/s" is really the latency of a 2,000-request burst. Here request k is due at
// t0 + k / rate; latency is measured from that due time, not from when a free connection picked it up,
// so a server that falls behind is charged for the queueing it causes (no coordinated omission).
import { connect, type Socket } from 'node:net';

export interface PacedLoadOptions {
  port: number;
  host?: string;
  /** Requests per second; request k is due at k / rate seconds after the start. */
  rate: number;
  seconds: number;
  connections: number;
  path: string;
  /** The JSON body of request number `i`. */
  body: (i: number) => string;
  /** How long to wait for answers still outstanding when the load window ends. */
  drainMs?: number;
}

export interface PacedLoadResult {
  /** Requests due during the window. */
  due: number;
  /** Requests written to a connection (a saturated server leaves the rest unsent at the end). */
  sent: number;
  ok2xx: number;
  non2xx: number;
  /** Connections reset or answers not received by the end of the drain. */
  errors: number;
  /** Latency from due time to the full answer, ms, of every answered request, sorted. */
  latenciesMs: Float64Array;
  /** Every answered request in the order answered: its due time (epoch ms) and its latency (ms). */
  timeline: { dueAtMs: Float64Array; latencyMs: Float64Array };
  /** Wall time from the first due request to the last answer, s. */
  elapsedS: number;
  /** When the first request was due (epoch ms). */
  startedAt: number;
}

interface Connection {
  socket: Socket;
  /** Due time of the request in flight, or -1 when idle. */
  dueAt: number;
  buffer: Buffer;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** Parses one complete HTTP/1.1 response at the head of `buffer`: its status and total length. */
function parseResponse(buffer: Buffer): { status: number; length: number } | undefined {
  const headerEnd = buffer.indexOf(HEADER_END);
  if (headerEnd < 0) return undefined;
  const head = buffer.toString('latin1', 0, headerEnd);
  const status = Number(head.slice(9, 12));
  const match = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (match) {
    const length = headerEnd + 4 + Number(match[1]);
    return buffer.length >= length ? { status, length } : undefined;
  }
  if (!/\r\ntransfer-encoding:\s*chunked/i.test(head)) throw new Error(`unframed response: ${head}`);
  // Chunked: <hex size>\r\n<data>\r\n ... 0\r\n\r\n (no trailers from these servers).
  let at = headerEnd + 4;
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', at, 'latin1');
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(buffer.toString('latin1', at, lineEnd), 16);
    at = lineEnd + 2 + size + 2;
    if (buffer.length < at) return undefined;
    if (size === 0) return { status, length: at };
  }
}

export async function pacedLoad(options: PacedLoadOptions): Promise<PacedLoadResult> {
  const host = options.host ?? '127.0.0.1';
  const intervalMs = 1000 / options.rate;
  const latencies: number[] = [];
  const dues: number[] = [];
  const waiting: number[] = []; // due times of requests no connection has taken yet (FIFO)
  const idle: Connection[] = [];
  let sent = 0;
  let ok2xx = 0;
  let non2xx = 0;
  let errors = 0;
  let inFlight = 0;
  let nextIndex = 0;
  let lastAnswer = 0;
  let onIdleAll: (() => void) | undefined;

  const request = (i: number) => {
    const body = Buffer.from(options.body(i));
    return Buffer.concat([
      Buffer.from(
        `POST ${options.path} HTTP/1.1\r\nhost: ${host}:${options.port}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`,
      ),
      body,
    ]);
  };

  const send = (connection: Connection, dueAt: number) => {
    connection.dueAt = dueAt;
    inFlight += 1;
    sent += 1;
    connection.socket.write(request(nextIndex++));
  };

  const release = (connection: Connection) => {
    connection.dueAt = -1;
    const dueAt = waiting.shift();
    if (dueAt !== undefined) send(connection, dueAt);
    else idle.push(connection);
    if (inFlight === 0 && onIdleAll) onIdleAll();
  };

  const open = (): Promise<Connection> =>
    new Promise((resolve, reject) => {
      const socket = connect({ port: options.port, host, noDelay: true });
      const connection: Connection = { socket, dueAt: -1, buffer: Buffer.alloc(0) };
      socket.once('connect', () => resolve(connection));
      socket.once('error', reject);
      socket.on('data', (chunk: Buffer) => {
        connection.buffer = connection.buffer.length ? Buffer.concat([connection.buffer, chunk]) : chunk;
        const parsed = parseResponse(connection.buffer);
        if (!parsed || connection.dueAt < 0) return;
        lastAnswer = performance.now();
        latencies.push(lastAnswer - connection.dueAt);
        dues.push(connection.dueAt);
        if (parsed.status >= 200 && parsed.status < 300) ok2xx += 1;
        else non2xx += 1;
        connection.buffer = connection.buffer.subarray(parsed.length);
        inFlight -= 1;
        release(connection);
      });
    });

  const connections = await Promise.all(Array.from({ length: options.connections }, open));
  for (const c of connections) {
    c.socket.removeAllListeners('error');
    c.socket.on('error', () => undefined);
    c.socket.on('close', () => {
      // A connection the server closed: its request in flight is an error; it takes no more work.
      if (c.dueAt >= 0) {
        errors += 1;
        inFlight -= 1;
        c.dueAt = -1;
        if (inFlight === 0 && onIdleAll) onIdleAll();
      }
      const at = idle.indexOf(c);
      if (at >= 0) idle.splice(at, 1);
    });
    idle.push(c);
  }

  const t0 = performance.now();
  const end = t0 + options.seconds * 1000;
  let issued = 0;
  const total = Math.floor(options.rate * options.seconds);
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const dueNow = Math.min(total, Math.floor((now - t0) / intervalMs) + 1);
      for (; issued < dueNow; issued++) {
        const dueAt = t0 + issued * intervalMs;
        const connection = idle.pop();
        if (connection) send(connection, dueAt);
        else waiting.push(dueAt);
      }
      if (now >= end || issued >= total) resolve();
      else setTimeout(tick, Math.max(0, Math.min(1, t0 + issued * intervalMs - performance.now())));
    };
    tick();
  });
  // The window is over: what no connection took is not sent; wait for answers still in flight.
  waiting.length = 0;
  if (inFlight > 0) {
    await new Promise<void>((resolve) => {
      onIdleAll = resolve;
      setTimeout(resolve, options.drainMs ?? 10_000);
    });
  }
  for (const c of connections) {
    if (c.dueAt >= 0) errors += 1; // no answer within the drain
    c.dueAt = -1;
    c.socket.destroy();
  }
  const timeline = {
    dueAtMs: Float64Array.from(dues, (due) => performance.timeOrigin + due),
    latencyMs: Float64Array.from(latencies),
  };
  latencies.sort((a, b) => a - b);
  return {
    timeline,
    due: issued,
    sent,
    ok2xx,
    non2xx,
    errors,
    latenciesMs: Float64Array.from(latencies),
    elapsedS: (Math.max(lastAnswer, end) - t0) / 1000,
    startedAt: performance.timeOrigin + t0,
  };
}

/** The value at quantile `q` (0..1) of sorted values. */
export function quantile(sorted: ArrayLike<number>, q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null;
}
