// Natural batching of one kind of statement. A call goes out at once while a
// slot is free: no timer, so a lone request waits for nothing. While every slot
// has a statement in flight, calls queue, and when one comes back the queue goes
// out as the next statement, up to maxBatch calls in it. Under load, dozens of
// requests then share one round trip and one statement's fixed cost. A call whose
// deadline passes while it waits is dropped, never sent: its caller already got
// its 503, and a create sent after that would store a note reported as failed.
import { DatabaseUnavailableError } from '../database-unavailable.js';

export interface CoalesceLimits {
  /** The most calls one statement carries (1: every call its own statement). */
  readonly maxBatch: number;
  /** The most statements of this kind in flight at once. */
  readonly maxInFlight: number;
}

/**
 * What metrics see of a repository's coalescers, each named by a kind of its
 * choosing (a feature's 'read', 'create'): every batch's size as it goes out, and
 * how to read each queue's depth.
 */
export interface BatchObserver {
  batch(kind: string, size: number): void;
  queued(kind: string, depth: () => number): void;
}

interface Call<In, Out> {
  input: In;
  deadline: number;
  resolve: (output: Out) => void;
  reject: (error: unknown) => void;
}

/**
 * One statement for a batch: resolves with one output per input, in the inputs'
 * order; a rejection fails every call of that batch, and only those. `deadline`
 * is the earliest of its calls' deadlines, past which the first of them has been
 * answered 503.
 */
export type BatchStatement<In, Out> = (inputs: In[], deadline: number) => Promise<Out[]>;

export class Coalescer<In, Out> {
  private queue: Call<In, Out>[] = [];
  private inFlight = 0;

  /** @param onBatch told each batch's size as it goes out (metrics). */
  constructor(
    private readonly run: BatchStatement<In, Out>,
    private readonly limits: CoalesceLimits,
    private readonly onBatch?: (size: number) => void,
  ) {}

  /** Calls waiting for a slot. */
  get queued(): number {
    return this.queue.length;
  }

  /** @param deadline Date.now() past which the caller no longer waits: not sent after it. */
  submit(input: In, deadline = Number.POSITIVE_INFINITY): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ input, deadline, resolve, reject });
      this.send();
    });
  }

  private send(): void {
    while (this.inFlight < this.limits.maxInFlight) {
      const { batch, deadline } = this.takeLive();
      if (batch.length === 0) return; // nothing (live) queued
      this.inFlight++;
      this.onBatch?.(batch.length);
      this.settle(batch, deadline).finally(() => {
        this.inFlight--;
        this.send();
      });
    }
  }

  /** Up to maxBatch calls from the front of the queue whose deadline is still ahead; the others are dropped. */
  private takeLive(): { batch: Call<In, Out>[]; deadline: number } {
    const now = Date.now();
    const batch: Call<In, Out>[] = [];
    let deadline = Number.POSITIVE_INFINITY;
    let taken = 0;
    while (taken < this.queue.length && batch.length < this.limits.maxBatch) {
      const call = this.queue[taken++] as Call<In, Out>;
      if (call.deadline > now) {
        batch.push(call);
        // Stryker disable next-line EqualityOperator: on a tie either call's deadline is the same number
        if (call.deadline < deadline) deadline = call.deadline;
      } else {
        call.reject(new DatabaseUnavailableError('dropped unsent: its deadline passed while it waited'));
      }
    }
    this.queue.splice(0, taken);
    return { batch, deadline };
  }

  private async settle(batch: Call<In, Out>[], deadline: number): Promise<void> {
    try {
      const outputs = await this.run(
        batch.map((call) => call.input),
        deadline,
      );
      if (outputs.length !== batch.length) {
        throw new Error(`a batch of ${batch.length} calls got ${outputs.length} results`);
      }
      for (const [i, call] of batch.entries()) call.resolve(outputs[i] as Out);
    } catch (error) {
      for (const call of batch) call.reject(error);
    }
  }
}
