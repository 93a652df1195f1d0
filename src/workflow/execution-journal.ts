/** A durable record of one local workflow execution. */
export interface ExecutionRecord {
  name: string;
  /** The execution input, as JSON. */
  input: string;
  fingerprint: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  error: string | null;
  cause: string | null;
}

/**
 * What Step Functions keeps for us on AWS: which executions exist under which name, and which have not
 * finished. Written before an execution starts, so a crash mid-execution leaves a RUNNING record that the
 * local host resumes on start-up.
 */
export interface ExecutionJournal {
  /** Records a RUNNING execution, unless the name exists: then returns the existing record. */
  begin(record: {
    name: string;
    input: string;
    fingerprint: string;
    now: number;
  }): Promise<{ created: true } | { created: false; existing: ExecutionRecord }>;
  /** Starts a FAILED execution again with a new input; false if it was not FAILED. */
  restart(record: { name: string; input: string; fingerprint: string; now: number }): Promise<boolean>;
  finish(
    name: string,
    outcome: { status: 'SUCCEEDED' | 'FAILED'; error?: string; cause?: string; now: number },
  ): Promise<void>;
  listRunning(): Promise<ExecutionRecord[]>;
}
