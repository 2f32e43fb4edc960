/** A job that may run alongside the running jobs of its lane (sampling requests: their rows decode as one batch). */
export interface JoinSpec {
  baseModel: string;
  /** Batch rows it adds (num_samples). */
  rows: number;
  promptTokens: number;
  maxTokens: number;
  promptLogprobs: boolean;
}

interface Job {
  run: () => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  join?: JoinSpec;
}

/** The joinable jobs of a lane running together; the group holds one engine slot until its last job ends. */
interface Group {
  members: JoinSpec[];
  open: number;
}

/** May `next` run together with the running `group`? (row bound, device memory for the merged work). */
export type JoinPolicy = (group: readonly JoinSpec[], next: JoinSpec) => boolean;

/**
 * Runs engine work in lanes (one per training model, one per sampling session). A lane runs its jobs one at a
 * time in FIFO order; free slots go to lanes round-robin, so one busy sampler cannot starve the others.
 * `concurrency` bounds engine calls in flight (the default 1 keeps libtorch from oversubscribing 2 cores).
 *
 * Joinable jobs (sampling requests) are the exception that makes continuous batching possible: when a lane's turn
 * comes, all joinable jobs at its head start together as one group, in one slot; while the group runs, a joinable
 * job arriving for that lane starts at once (its rows join the running decode) as long as nothing is queued ahead
 * of it in the lane, no other lane is waiting for a slot (fairness: then it waits for the lane's next turn), and
 * `canJoin` accepts it. The group's slot is freed, and the lane goes to the back of the line, when its last job ends.
 */
export class LaneScheduler {
  private readonly lanes = new Map<string, Job[]>();
  private readonly busy = new Set<string>();
  private readonly groups = new Map<string, Group>();
  private order: string[] = [];
  private running = 0;
  private closed = false;

  constructor(
    private readonly concurrency = 1,
    private readonly canJoin: JoinPolicy = () => true,
  ) {}

  /** Jobs queued (not yet started) in lanes whose name starts with `prefix`. */
  queued(prefix = ""): number {
    let n = 0;
    for (const [name, jobs] of this.lanes) if (name.startsWith(prefix)) n += jobs.length;
    return n;
  }

  get active(): number {
    return this.running;
  }

  enqueue<T>(lane: string, run: () => Promise<T>, join?: JoinSpec): Promise<T> {
    if (this.closed) return Promise.reject(new Error("server is shutting down"));
    return new Promise<T>((resolve, reject) => {
      let jobs = this.lanes.get(lane);
      if (!jobs) {
        jobs = [];
        this.lanes.set(lane, jobs);
        this.order.push(lane);
      }
      jobs.push({ run, resolve: resolve as (v: unknown) => void, reject, join });
      const group = this.groups.get(lane);
      if (group) this.admitJoiners(lane, group, false);
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.concurrency) {
      const lane = this.nextLane();
      if (lane === undefined) return;
      const job = this.lanes.get(lane)?.shift();
      if (!job) return;
      this.running++;
      this.busy.add(lane);
      if (job.join) {
        const group: Group = { members: [], open: 0 };
        this.groups.set(lane, group);
        this.startInGroup(lane, group, job);
        this.admitJoiners(lane, group, true);
        continue;
      }
      // Start on a fresh tick so an enqueue never runs engine work synchronously inside a request handler.
      setImmediate(() => {
        job
          .run()
          .then(job.resolve, job.reject)
          .finally(() => this.finish(lane));
      });
    }
  }

  /** Starts the joinable jobs at the head of the lane that may join its running group. */
  private admitJoiners(lane: string, group: Group, atTurn: boolean): void {
    const jobs = this.lanes.get(lane);
    if (!jobs) return;
    while (jobs.length > 0) {
      const head = jobs[0] as Job;
      if (!head.join || (!atTurn && this.othersWaiting(lane)) || !this.canJoin(group.members, head.join))
        return;
      jobs.shift();
      this.startInGroup(lane, group, head);
    }
  }

  private startInGroup(lane: string, group: Group, job: Job): void {
    group.members.push(job.join as JoinSpec);
    group.open++;
    setImmediate(() => {
      job
        .run()
        .then(job.resolve, job.reject)
        .finally(() => {
          group.open--;
          group.members.splice(group.members.indexOf(job.join as JoinSpec), 1);
          if (group.open > 0) {
            this.admitJoiners(lane, group, false); // room freed under the row bound
            return;
          }
          this.groups.delete(lane);
          this.finish(lane);
        });
    });
  }

  /** Another lane has queued work that is not running. */
  private othersWaiting(lane: string): boolean {
    for (const [name, jobs] of this.lanes)
      if (name !== lane && jobs.length > 0 && !this.busy.has(name)) return true;
    return false;
  }

  private finish(lane: string): void {
    this.running--;
    this.busy.delete(lane);
    // A lane that was just served goes to the back of the line.
    const idx = this.order.indexOf(lane);
    if (idx >= 0) this.order.push(...this.order.splice(idx, 1));
    this.dropIfIdle(lane);
    this.pump();
  }

  /** Round-robin: the first lane (in service order) with work that is not already running. */
  private nextLane(): string | undefined {
    for (let i = 0; i < this.order.length; i++) {
      const lane = this.order[i] as string;
      if (!this.busy.has(lane) && (this.lanes.get(lane)?.length ?? 0) > 0) return lane;
    }
    return undefined;
  }

  private dropIfIdle(lane: string): void {
    if ((this.lanes.get(lane)?.length ?? 0) === 0 && !this.busy.has(lane)) {
      this.lanes.delete(lane);
      const idx = this.order.indexOf(lane);
      if (idx >= 0) this.order.splice(idx, 1);
    }
  }

  /** Resolves once no job is running (queued ones are not waited for). */
  async drain(): Promise<void> {
    while (this.running > 0) await new Promise((r) => setTimeout(r, 10));
  }

  /** Rejects queued jobs; running ones finish. */
  close(): void {
    this.closed = true;
    for (const jobs of this.lanes.values()) {
      for (const job of jobs.splice(0)) job.reject(new Error("server is shutting down"));
    }
  }
}

interface Waiter {
  release: () => void;
  fail: (err: Error) => void;
}

/** What to do with requests stuck behind a missing seq_id. */
export interface SeqGateLimits {
  /** Buffered requests fail this long after the gap was last seen to make progress. */
  gapTimeoutMs: number;
  /** Buffered requests at most; `offer` throws beyond it. */
  maxBuffered: number;
  /** Error for the requests that waited too long (or for an offer over the cap), naming the missing seq. */
  gapError: (missing: number, detail: string) => Error;
}

/**
 * Per-model `seq_id` ordering (spec §5.1): requests are released strictly in seq order with no gaps; early
 * arrivals wait in a buffer; a seq already seen is a duplicate (an L2 retry) and is not run again.
 * A gap is not waited on forever: when nothing is released for `gapTimeoutMs`, every buffered request fails with
 * an error naming the missing seq_id (the gate keeps expecting it, so a late arrival still runs), and at most
 * `maxBuffered` requests wait at once.
 */
export class SeqGate {
  private next: number;
  private readonly buffered = new Map<number, Waiter>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    firstSeq: number,
    private readonly limits?: SeqGateLimits,
  ) {
    this.next = firstSeq;
  }

  get expected(): number {
    return this.next;
  }

  get waiting(): number {
    return this.buffered.size;
  }

  /**
   * Returns false for a duplicate; otherwise `release` is called once every earlier seq has been released, or
   * `fail` if the gap before it outlasts the deadline. Throws the gap error when the buffer is full.
   */
  offer(seq: number, release: () => void, fail: (err: Error) => void = () => {}): boolean {
    if (seq < this.next || this.buffered.has(seq)) return false;
    if (seq !== this.next && this.limits && this.buffered.size >= this.limits.maxBuffered) {
      throw this.limits.gapError(
        this.next,
        `${this.buffered.size} later requests are already waiting for it (the limit)`,
      );
    }
    this.buffered.set(seq, { release, fail });
    let progressed = false;
    while (this.buffered.has(this.next)) {
      const w = this.buffered.get(this.next) as Waiter;
      this.buffered.delete(this.next);
      this.next++;
      progressed = true;
      w.release();
    }
    if (progressed || this.timer === undefined) this.armTimer();
    return true;
  }

  private armTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.limits || this.buffered.size === 0) return;
    const { gapTimeoutMs, gapError } = this.limits;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const stuck = [...this.buffered.entries()].sort((a, b) => a[0] - b[0]);
      this.buffered.clear();
      const seqs = stuck.map(([s]) => s);
      const err = gapError(
        this.next,
        `it did not arrive within ${gapTimeoutMs} ms, so the ${seqs.length} request(s) waiting behind it (seq_id ${seqs.join(", ")}) failed`,
      );
      for (const [, w] of stuck) w.fail(err);
    }, gapTimeoutMs);
    this.timer.unref();
  }

  /** Fails nothing; stops the deadline timer (the model is going away). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
