import { existsSync, readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type OrderStatus, orderStatuses } from '../core/order.ts';
import { type ApiClient, type ApiClientOptions, ApiError, createApiClient } from './api-client.ts';
import { type LoadSummary, runLoad, type SettleProgress } from './load-generator.ts';
import { orderTimeline } from './order-timeline.ts';

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}
function json(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

function positiveNumber(name: string) {
  return (raw: string) => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number`);
    return n;
  };
}

function positiveInteger(name: string) {
  return (raw: string) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}

/** An http(s) URL; anything else is a usage mistake (exit 2) rather than a failed request. */
function apiUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidArgumentError('--url must be an http:// or https:// URL, such as http://127.0.0.1:3000');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError(`--url must be an http:// or https:// URL, not ${url.protocol}`);
  if (url.search || url.hash) throw new InvalidArgumentError('--url must not carry a query or a fragment');
  return raw;
}

/** An order status in any case (`failed`, `Failed`), as the API takes it. */
function orderStatus(raw: string): OrderStatus {
  const status = raw.toUpperCase();
  if (!(orderStatuses as string[]).includes(status))
    throw new InvalidArgumentError(`--status must be one of ${orderStatuses.join(', ')} (any case)`);
  return status as OrderStatus;
}

/** The version in package.json (found upwards from this file, wherever the layout puts it). */
function packageVersion(): string {
  for (let dir = new URL('.', import.meta.url); dir.pathname !== '/'; dir = new URL('..', dir)) {
    const file = new URL('package.json', dir);
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'dofs' && pkg.version) return pkg.version;
  }
  return 'unknown';
}

/** Left-aligned text table. */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(cells[0] ?? []), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join(
    '\n',
  );
}

const ms = (v: number | null) => (v === null ? '-' : `${v.toFixed(1)} ms`);

export function summaryTable(s: LoadSummary): string {
  return table(
    ['metric', 'value'],
    [
      [
        'offered',
        `${s.offered} (${(s.offered / Math.max(s.durationS, 1e-9)).toFixed(0)}/s over ${s.durationS.toFixed(1)} s)`,
      ],
      ['accepted', s.accepted],
      ['rejected (4xx/5xx)', s.rejected],
      ['not sent (client saturated)', s.notSent],
      ['network errors', s.errors],
      ['fulfilled', s.fulfilled],
      ['failed', s.failed],
      ['unfinished at timeout', s.unfinished],
      [
        'accept latency p50 / p95 / p99',
        `${ms(s.acceptMs.p50)} / ${ms(s.acceptMs.p95)} / ${ms(s.acceptMs.p99)}`,
      ],
      [
        'end-to-end p50 / p95 / p99',
        `${ms(s.endToEndMs.p50)} / ${ms(s.endToEndMs.p95)} / ${ms(s.endToEndMs.p99)}`,
      ],
    ],
  );
}

/** The progress line while the outcomes of the accepted orders come in. */
export function settleLine(p: SettleProgress): string {
  const done = p.fulfilled + p.failed;
  return `${progressBar(done / Math.max(p.expected, 1))} outcomes ${done}/${p.expected} fulfilled ${p.fulfilled} failed ${p.failed} waited ${p.elapsedS.toFixed(1)} s (at most ${p.timeoutS} s)`;
}

function progressBar(fraction: number, width = 30): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`;
}

/** Builds the `dofs` command line; `run` returns the exit code instead of exiting, for tests. */
export function createProgram(io: { client?: (opts: ApiClientOptions) => ApiClient } = {}) {
  const program = new Command('dofs')
    .description(
      'DOFS, the Distributed Order Fulfillment System: run it, submit and inspect orders, redrive failures, offer load.',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .addOption(
      new Option('--url <url>', 'DOFS API base URL (local host or deployed API Gateway stage)')
        .env('DOFS_URL')
        .default('http://127.0.0.1:3000')
        .argParser(apiUrl),
    )
    .addOption(new Option('--api-key <key>', 'API key, sent as x-api-key (deployed API)').env('DOFS_API_KEY'))
    .addOption(
      new Option('--timeout <seconds>', 'give up on a request after this long')
        .env('DOFS_TIMEOUT')
        .default(30)
        .argParser(positiveNumber('--timeout')),
    )
    .showHelpAfterError()
    .exitOverride();

  const client = () => {
    const { url, apiKey, timeout } = program.opts<{ url: string; apiKey?: string; timeout: number }>();
    return (io.client ?? createApiClient)({ url, timeoutMs: timeout * 1000, ...(apiKey ? { apiKey } : {}) });
  };

  program
    .command('serve')
    .description('run DOFS locally (same as npm start; configured by environment variables, see README)')
    .action(async () => {
      await import('../hosts/local/main.ts');
    });

  program
    .command('submit')
    .description('submit an order from a JSON file (- for stdin) or from flags')
    .argument('[file]', 'JSON order file, or - to read stdin')
    .option('--order-id <id>', 'idempotency key (generated by the server if omitted)')
    .option('--customer <id>', 'customer id')
    .option('--product <id>', 'product id')
    .option('--quantity <n>', 'quantity', positiveInteger('--quantity'), 1)
    .option('--price <amount>', 'unit price', (raw) => {
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('--price must be a number ≥ 0');
      return n;
    })
    .action(
      async (
        file: string | undefined,
        opts: { orderId?: string; customer?: string; product?: string; quantity: number; price?: number },
      ) => {
        let order: unknown;
        if (file) {
          let text: string;
          try {
            text = readFileSync(file === '-' ? 0 : file, 'utf8');
          } catch (error) {
            throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
          }
          try {
            order = JSON.parse(text);
          } catch (error) {
            throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`);
          }
        } else {
          if (!opts.customer || !opts.product)
            throw new UsageError('give a JSON file, or --customer and --product');
          const item: Record<string, unknown> = { product_id: opts.product, quantity: opts.quantity };
          if (opts.price !== undefined) item.price = opts.price;
          order = {
            ...(opts.orderId ? { order_id: opts.orderId } : {}),
            customer_id: opts.customer,
            items: [item],
          };
        }
        const { status, body } = await client().submit(order);
        json({ http_status: status, ...body });
      },
    );

  program
    .command('status')
    .description('show one order and its timeline (every event of its history)')
    .argument('<order_id>')
    .option('--json', 'print {order, history} as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const api = client();
      const [order, history] = await Promise.all([api.get(id), api.history(id)]);
      if (opts.json) json({ order: order.body, history: history.body });
      else out(orderTimeline(order.body, history.body));
    });

  program
    .command('orders')
    .description('list orders, newest first')
    .option('--status <status>', `only this status: ${orderStatuses.join(', ')} (any case)`, orderStatus)
    .option('--customer <customer_id>', "only this customer's orders")
    .option('--since <time>', 'created at or after this ISO 8601 time')
    .option('--until <time>', 'created before this ISO 8601 time')
    .option('--limit <n>', 'how many (1-500)', positiveInteger('--limit'), 20)
    .option('--cursor <cursor>', 'the next page, as the previous one printed it')
    .option('--json', 'print the page as JSON ({items, cursor})')
    .action(
      async (opts: {
        status?: OrderStatus;
        customer?: string;
        since?: string;
        until?: string;
        limit: number;
        cursor?: string;
        json?: boolean;
      }) => {
        const page = (
          await client().list({
            limit: opts.limit,
            ...(opts.status ? { status: opts.status } : {}),
            ...(opts.customer ? { customer_id: opts.customer } : {}),
            ...(opts.since ? { created_after: opts.since } : {}),
            ...(opts.until ? { created_before: opts.until } : {}),
            ...(opts.cursor ? { cursor: opts.cursor } : {}),
          })
        ).body;
        if (opts.json) return json(page);
        out(
          table(
            ['order_id', 'status', 'attempts', 'customer', 'created_at', 'last_error'],
            page.items.map((o) => [
              String(o.order_id),
              String(o.status),
              String(o.attempts),
              String(o.customer_id ?? '-'),
              String(o.created_at),
              String(o.last_error ?? ''),
            ]),
          ),
        );
        if (page.cursor) out(`more: add --cursor ${page.cursor}`);
      },
    );

  program
    .command('failed')
    .description('list failed (dead-lettered) orders with their reason, and how many fail for each reason')
    .option('--reason <reason>', 'only the orders that failed for this reason (exactly as listed)')
    .option('--limit <n>', 'how many (1-500)', positiveInteger('--limit'), 50)
    .option('--cursor <cursor>', 'the next page, as the previous one printed it')
    .option('--json', 'print the page as JSON ({items, cursor, total, by_reason})')
    .action(async (opts: { reason?: string; limit: number; cursor?: string; json?: boolean }) => {
      const page = (
        await client().failed({
          limit: opts.limit,
          ...(opts.reason ? { reason: opts.reason } : {}),
          ...(opts.cursor ? { cursor: opts.cursor } : {}),
        })
      ).body;
      if (opts.json) return json(page);
      out(`${page.total} failed order${page.total === 1 ? '' : 's'}${opts.reason ? ' for this reason' : ''}`);
      if (page.by_reason.length > 0) {
        out(
          table(
            ['count', 'reason'],
            page.by_reason.map((group) => [String(group.count), group.reason]),
          ),
        );
        out('');
      }
      out(
        table(
          ['order_id', 'attempts', 'failed_at', 'reason'],
          page.items.map((f) => [
            String(f.order_id),
            String(f.attempts),
            String(f.failed_at),
            String(f.reason),
          ]),
        ),
      );
      if (page.cursor) out(`more: add --cursor ${page.cursor}`);
    });

  program
    .command('redrive')
    .description('send a failed order (or all with --all) back to the queue')
    .argument('[order_id]')
    .option('--all', 'redrive every failed order')
    .action(async (id: string | undefined, opts: { all?: boolean }) => {
      if (Boolean(id) === Boolean(opts.all)) throw new UsageError('give one order id, or --all');
      json(id ? (await client().redriveOne(id)).body : (await client().redriveAll()).body);
    });

  program
    .command('load')
    .description('offer load at a fixed rate, then report acceptance, outcomes and latencies')
    .requiredOption('--rate <per_second>', 'orders per second', positiveNumber('--rate'))
    .requiredOption('--duration <seconds>', 'how long to send', positiveNumber('--duration'))
    .option('--max-in-flight <n>', 'requests in flight at most', positiveInteger('--max-in-flight'), 256)
    .option(
      '--settle-timeout <seconds>',
      'how long to wait for outcomes',
      positiveNumber('--settle-timeout'),
      60,
    )
    .option('--json', 'print the summary as JSON')
    .action(
      async (opts: {
        rate: number;
        duration: number;
        maxInFlight: number;
        settleTimeout: number;
        json?: boolean;
      }) => {
        const total = Math.round(opts.rate * opts.duration);
        const tty = process.stderr.isTTY;
        let waiting = false;
        const summary = await runLoad({
          client: client(),
          rate: opts.rate,
          durationS: opts.duration,
          maxInFlight: opts.maxInFlight,
          settleTimeoutS: opts.settleTimeout,
          onProgress: (p) => {
            const text = `${progressBar(p.sent / Math.max(total, 1))} sent ${p.sent}/${total} accepted ${p.accepted} rejected ${p.rejected} ${p.elapsedS.toFixed(1)} s`;
            process.stderr.write(tty ? `\r${text}` : `${text}\n`);
          },
          onSettleProgress: (p) => {
            if (!waiting && tty) process.stderr.write('\n');
            waiting = true;
            const text = settleLine(p);
            process.stderr.write(tty ? `\r${text}\x1b[K` : `${text}\n`);
          },
        });
        if (tty) process.stderr.write('\n');
        if (opts.json) json(summary);
        else out(summaryTable(summary));
      },
    );

  return program;
}

/** A usage mistake: exit code 2, like commander's own. */
export class UsageError extends Error {}

/** Runs the CLI and resolves with its exit code: 0 ok, 1 the API said no or could not be reached, 2 usage. */
export async function run(argv: string[], io?: Parameters<typeof createProgram>[0]): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    const code = (error as { code?: string }).code;
    // Help asked for (--help, help, --version): 0. Help shown because no command was given: a usage mistake.
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return 0;
    if (code === 'commander.help') return (error as { exitCode?: number }).exitCode === 0 ? 0 : 2;
    if (typeof code === 'string' && code.startsWith('commander.')) return 2;
    if (error instanceof UsageError) {
      process.stderr.write(`dofs: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ApiError) {
      process.stderr.write(`dofs: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`dofs: ${(error as Error).message}\n`);
    return 1;
  }
}

if (import.meta.main) {
  const code = await run(process.argv.slice(2));
  if (!(process.argv[2] === 'serve' && code === 0)) process.exitCode = code;
}
