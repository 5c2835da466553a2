import { expect } from "vitest";
import { ProviderError } from "../../../src/providers/types.js";

/** The ProviderError a call rejects with (the test fails when it resolves or throws anything else). */
export async function rejection(x: Promise<unknown>): Promise<ProviderError> {
  const e = await x.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ProviderError);
  return e as ProviderError;
}
