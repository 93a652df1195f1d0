import type { FailedOrderRepository, Logger, PollableQueue } from '../../core/ports.ts';

export type AlarmState = 'OK' | 'ALARM';

export interface AlarmStatus {
  name: string;
  state: AlarmState;
  /** Dead-lettered orders awaiting attention: messages in order_dlq plus failed_orders not yet redriven. */
  value: number;
  threshold: number;
  since: string;
}

export type Fetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string },
) => Promise<{ ok: boolean; status: number }>;

export interface DlqAlarmDeps {
  dlq: PollableQueue;
  failedOrders: FailedOrderRepository;
  threshold: number;
  logger: Logger;
  /** ALERT_WEBHOOK_URL: receives a JSON POST on every state change. */
  webhookUrl?: string;
  fetch?: Fetch;
  /** Pauses between webhook attempts; one attempt more than there are pauses. */
  retryDelaysMs?: number[];
}

/**
 * The local stand-in for the CloudWatch DLQ alarm. It watches the dead-letter backlog (messages in
 * order_dlq plus failed_orders records not yet redriven: the dlq handler empties the queue itself within
 * milliseconds, so the queue's depth alone would almost never be seen above zero). At or over the threshold
 * the alarm goes to ALARM, and back to OK when the backlog falls; each change is logged and, when a webhook
 * is configured, POSTed to it with retries.
 */
export class DlqAlarm {
  readonly #deps: DlqAlarmDeps;
  #status: AlarmStatus;
  #timer: NodeJS.Timeout | undefined;
  /** Deliveries run one after another, so the receiver sees state changes in order. */
  #deliveries: Promise<void> = Promise.resolve();

  constructor(deps: DlqAlarmDeps) {
    this.#deps = deps;
    this.#status = {
      name: 'dofs-dlq-backlog',
      state: 'OK',
      value: 0,
      threshold: deps.threshold,
      since: new Date().toISOString(),
    };
  }

  get status(): AlarmStatus {
    return { ...this.#status };
  }

  /** Evaluates now; resolves with the (possibly new) status. */
  async evaluate(): Promise<AlarmStatus> {
    const [depth, failed] = await Promise.all([this.#deps.dlq.depth(), this.#deps.failedOrders.count()]);
    const value = depth.visible + depth.inFlight + failed;
    const state: AlarmState = value >= this.#deps.threshold ? 'ALARM' : 'OK';
    const changed = state !== this.#status.state;
    this.#status = {
      ...this.#status,
      value,
      state,
      since: changed ? new Date().toISOString() : this.#status.since,
    };
    if (changed) this.#announce();
    return this.status;
  }

  start(intervalMs = 1000): void {
    this.#timer = setInterval(() => {
      this.evaluate().catch((error: unknown) =>
        this.#deps.logger.warn('alarm evaluation failed', { error: String(error) }),
      );
    }, intervalMs);
    this.#timer.unref();
  }

  /** Stops evaluating and waits for webhook deliveries in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#deliveries;
  }

  #announce(): void {
    const status = this.status;
    const fields = {
      alarm: status.name,
      state: status.state,
      value: status.value,
      threshold: status.threshold,
    };
    if (status.state === 'ALARM')
      this.#deps.logger.error('ALARM: dead-letter backlog at or over threshold', fields);
    else this.#deps.logger.info('OK: dead-letter backlog below threshold', fields);
    const url = this.#deps.webhookUrl;
    if (!url) return;
    this.#deliveries = this.#deliveries.then(() => this.#deliver(url, status));
  }

  async #deliver(url: string, status: AlarmStatus): Promise<void> {
    const send = this.#deps.fetch ?? ((u, init) => fetch(u, { ...init, signal: AbortSignal.timeout(5000) }));
    const delays = this.#deps.retryDelaysMs ?? [500, 2000, 5000];
    const body = JSON.stringify({ source: 'dofs', ...status });
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      try {
        const response = await send(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        if (response.ok) return;
        this.#deps.logger.warn('alarm webhook answered an error', {
          status: response.status,
          attempt: attempt + 1,
        });
      } catch (error) {
        this.#deps.logger.warn('alarm webhook unreachable', { error: String(error), attempt: attempt + 1 });
      }
      const delay = delays[attempt];
      if (delay === undefined) break;
      await new Promise((r) => setTimeout(r, delay));
    }
    this.#deps.logger.error('alarm webhook gave up', { alarm: status.name, state: status.state });
  }
}
