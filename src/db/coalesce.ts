// Natural batching of one kind of statement. A call goes out at once while a
// slot is free: no timer, so a lone request waits for nothing. While every slot
// has a statement in flight, calls queue, and when one comes back the queue goes
// out as the next statement, up to maxBatch calls in it. Under load, dozens of
// requests then share one round trip and one statement's fixed cost.

export interface CoalesceLimits {
  /** The most calls one statement carries (1: every call its own statement). */
  readonly maxBatch: number;
  /** The most statements of this kind in flight at once. */
  readonly maxInFlight: number;
}

interface Call<In, Out> {
  input: In;
  resolve: (output: Out) => void;
  reject: (error: unknown) => void;
}

export class Coalescer<In, Out> {
  private queue: Call<In, Out>[] = [];
  private inFlight = 0;

  /**
   * @param run one statement for a batch: resolves with one output per input, in
   *   the inputs' order; a rejection fails every call of that batch, and only those.
   * @param onBatch told each batch's size as it goes out (metrics).
   */
  constructor(
    private readonly run: (inputs: In[]) => Promise<Out[]>,
    private readonly limits: CoalesceLimits,
    private readonly onBatch?: (size: number) => void,
  ) {}

  /** Calls waiting for a slot. */
  get queued(): number {
    return this.queue.length;
  }

  submit(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.send();
    });
  }

  private send(): void {
    while (this.inFlight < this.limits.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.limits.maxBatch);
      this.inFlight++;
      this.onBatch?.(batch.length);
      this.settle(batch).finally(() => {
        this.inFlight--;
        this.send();
      });
    }
  }

  private async settle(batch: Call<In, Out>[]): Promise<void> {
    try {
      const outputs = await this.run(batch.map((call) => call.input));
      if (outputs.length !== batch.length) {
        throw new Error(`a batch of ${batch.length} calls got ${outputs.length} results`);
      }
      for (const [i, call] of batch.entries()) call.resolve(outputs[i] as Out);
    } catch (error) {
      for (const call of batch) call.reject(error);
    }
  }
}
