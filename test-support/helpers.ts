import { expect } from "chai";

type Ctor<E> = abstract new (...args: never[]) => E;

/** Await `p`, expect it to throw an instance of `Class`, and return the error for further checks. */
export async function expectError<E extends Error>(p: Promise<unknown> | (() => unknown), Class: Ctor<E>): Promise<E> {
  let caught: unknown;
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${Class.name} to be thrown`).to.be.instanceOf(Class);
  return caught as E;
}
