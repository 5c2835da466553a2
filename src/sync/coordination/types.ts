/**
 * Coordination of lxm-sync replicas (one interface; PostgreSQL first, a Kubernetes Lease or
 * etcd backend could implement it too). Every time is the coordination server's clock, never
 * a replica's: a replica's heartbeat and a lease's expiry are compared with the server's
 * `now()`, so clock skew between machines cannot make two replicas believe they hold one lease.
 */

/** A replica as the server last saw it. Times are ISO 8601 from the server's clock. */
export interface Member {
  readonly id: string;
  readonly address: string;
  readonly started: string;
  readonly lastSeen: string;
}

/**
 * A repository's lease: who holds it, until when, and its epoch: the fencing token, which
 * every takeover increments (a renewal by the holder keeps it).
 */
export interface Lease {
  readonly repository: string;
  readonly owner: string;
  readonly epoch: number;
  readonly expiresAt: string;
}

export interface Coordination {
  /** Creates or migrates the schema: versioned, idempotent, safe when several replicas start at once. */
  migrate(): Promise<void>;
  /** Records the replica alive now (inserting it the first time). */
  heartbeat(member: { readonly id: string; readonly address: string }): Promise<void>;
  /** The replicas whose last heartbeat is younger than the TTL, sorted by id. */
  members(): Promise<Member[]>;
  /**
   * Takes or renews `repository`'s lease for `owner`, in one conditional statement: renewed
   * (same epoch) while `owner` holds it unexpired; taken (epoch + 1) when it is free or
   * expired, whoever held it; null while another replica holds it unexpired.
   */
  acquire(repository: string, owner: string): Promise<Lease | null>;
  /** The same for several repositories in one statement: the leases `owner` holds after it (renewed or taken), by repository. */
  acquireAll(repositories: readonly string[], owner: string): Promise<Lease[]>;
  /** Whether `owner` still holds `repository` at `epoch`, unexpired: the check before a provider call or a push. */
  holds(repository: string, owner: string, epoch: number): Promise<boolean>;
  /** Gives the lease up (expires it now) when `owner` holds it at `epoch`; nothing otherwise. */
  release(repository: string, owner: string, epoch: number): Promise<void>;
  /** Every lease, by repository. */
  leases(): Promise<Lease[]>;
  close(): Promise<void>;
}
