// The responses being worked on, counted and listed for admission and for the
// close, without a Set: a Set keys objects by an identity hash, and giving a
// ServerResponse one on every request cost ~8 µs of CPU each under load (a fifth
// of a GET; bench/README.md). Each response holds its slot in an array instead,
// and leaves by a swap with the last one.
import type { ServerResponse } from 'node:http';

const SLOT = Symbol('in-flight slot');

type Tracked = ServerResponse & { [SLOT]?: number };

export class InFlight {
  private readonly responses: Tracked[] = [];
  /** One listener for every response, so a request allocates no closure for it. */
  private readonly onClose: (this: Tracked) => void;

  constructor() {
    const registry = this;
    this.onClose = function (this: Tracked) {
      registry.remove(this);
    };
  }

  get size(): number {
    return this.responses.length;
  }

  /** Counted until its 'close', which comes once per response, whether it was sent whole or the client left. */
  add(response: ServerResponse): void {
    const tracked = response as Tracked;
    tracked[SLOT] = this.responses.length;
    this.responses.push(tracked);
    tracked.once('close', this.onClose);
  }

  /** The responses in flight now. */
  list(): readonly ServerResponse[] {
    return [...this.responses];
  }

  /** Once per add: the listener is a once listener. */
  private remove(response: Tracked): void {
    const slot = response[SLOT] as number;
    const last = this.responses.pop() as Tracked;
    if (last !== response) {
      this.responses[slot] = last;
      last[SLOT] = slot;
    }
  }
}
