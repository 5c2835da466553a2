import type { Json, JsonObject } from "../program/types.js";
import { InternalError } from "../diag/diagnostic.js";

/** What a quiescent domain sends to each domain that imports from it. */
export interface Message {
  readonly from: string;
  /** Its exports by name, with values in clear (the mailbox lives in memory only). */
  readonly exports: { readonly [name: string]: Json };
  /** Read-back attributes of the resources it exports, by address (what `res(address)` sees). */
  readonly resources: { readonly [address: string]: JsonObject };
}

/**
 * A domain actor's mailbox. It knows which domains must write to it (the domains it
 * imports from) and is ready once every one of them has. Messages are only posted
 * between steps, so a mailbox is either complete when its step begins or the plan is
 * malformed (a bug: the planner puts a domain in a later step than all it imports from).
 */
export class Mailbox {
  readonly owner: string;
  private readonly expected: readonly string[];
  private readonly messages = new Map<string, Message>();

  constructor(owner: string, expected: readonly string[]) {
    this.owner = owner;
    this.expected = [...expected].sort();
  }

  /** Delivers one message; a second message from the same domain is a bug. */
  post(message: Message): void {
    if (!this.expected.includes(message.from)) return; // not an import of this domain: nothing to deliver
    if (this.messages.has(message.from)) throw new InternalError(`domain ${message.from} wrote twice to ${this.owner}'s mailbox`);
    this.messages.set(message.from, message);
  }

  /** True when every expected message is in. */
  ready(): boolean {
    return this.expected.every((d) => this.messages.has(d));
  }

  /** Domains whose message has not arrived, sorted. */
  missing(): string[] {
    return this.expected.filter((d) => !this.messages.has(d));
  }

  /** The messages in sender-name order (deterministic). Throws InternalError when incomplete. */
  open(): Message[] {
    if (!this.ready()) throw new InternalError(`domain ${this.owner} started without messages from ${this.missing().join(", ")}`);
    return this.expected.map((d) => this.messages.get(d)!);
  }
}
