/**
 * The actors' bookkeeping: what a provider call leaves behind for the record (its trace
 * events, the masked observation, the resource's record), done in order shortly after the
 * actor has made its next call instead of before it.
 *
 * Why: the domains' provider calls finish on the same timer tick and their continuations
 * run one after another, so whatever an actor does between one call and the next delays
 * the next call of every actor behind it. Only what the next call needs stays on that path
 * (the read-back value in memory); the rest waits here for the check phase of the event
 * loop (`setImmediate`), after every actor has moved on.
 *
 * Tasks run in the order they were queued, so each domain's events keep their order (and
 * their sequence numbers). A task queued while tasks are running runs at once: it comes
 * from the task running now, so it is next in order anyway. `settle()` runs what is
 * pending now; the actors call it before they read what the tasks write (a domain's
 * records, before its goals are asserted) and the scheduler before it returns.
 */
export class Bookkeeping {
  private readonly queue: (() => void)[] = [];
  private running = false;
  private timer: NodeJS.Immediate | null = null;
  private error: { readonly value: unknown } | null = null;

  /** Queues `task` (runs it at once when called from a running task). */
  later(task: () => void): void {
    if (this.running) {
      task();
      return;
    }
    this.queue.push(task);
    this.timer ??= setImmediate(this.drain);
  }

  /** Runs every pending task now. Throws what a task threw (a bug), here or at the next settle. */
  settle(): void {
    this.drain();
    if (this.error) {
      const { value } = this.error;
      this.error = null;
      throw value;
    }
  }

  private readonly drain = (): void => {
    if (this.timer) clearImmediate(this.timer);
    this.timer = null;
    if (this.running) return;
    this.running = true;
    try {
      // Indexed, not shifted: tasks are small and many.
      for (let i = 0; i < this.queue.length; i++) {
        try {
          this.queue[i]!();
        } catch (e) {
          // Kept for the actor's next settle(): thrown from an immediate callback it would
          // end the process without the run's recovery.
          this.error ??= { value: e };
        }
      }
    } finally {
      this.queue.length = 0;
      this.running = false;
    }
  };
}
