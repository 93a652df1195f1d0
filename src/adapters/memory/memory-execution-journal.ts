import type { ExecutionJournal, ExecutionRecord } from '../../workflow/execution-journal.ts';

/** In-memory execution journal: the same contract as the SQLite one, without surviving a restart. */
export class MemoryExecutionJournal implements ExecutionJournal {
  readonly #records = new Map<string, ExecutionRecord>();

  async begin(record: { name: string; input: string; fingerprint: string; now: number }) {
    const existing = this.#records.get(record.name);
    if (existing) return { created: false as const, existing: { ...existing } };
    this.#records.set(record.name, { ...this.#fresh(record) });
    return { created: true as const };
  }

  async restart(record: { name: string; input: string; fingerprint: string; now: number }) {
    if (this.#records.get(record.name)?.status !== 'FAILED') return false;
    this.#records.set(record.name, this.#fresh(record));
    return true;
  }

  async finish(name: string, outcome: { status: 'SUCCEEDED' | 'FAILED'; error?: string; cause?: string }) {
    const record = this.#records.get(name);
    if (!record) return;
    record.status = outcome.status;
    record.error = outcome.error ?? null;
    record.cause = outcome.cause ?? null;
  }

  async listRunning() {
    return [...this.#records.values()].filter((r) => r.status === 'RUNNING').map((r) => ({ ...r }));
  }

  #fresh(record: { name: string; input: string; fingerprint: string }): ExecutionRecord {
    return {
      name: record.name,
      input: record.input,
      fingerprint: record.fingerprint,
      status: 'RUNNING',
      error: null,
      cause: null,
    };
  }
}
