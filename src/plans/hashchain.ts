/**
 * Hash chains of share tokens: `w_n = seed`, `w_{i-1} = keccak256(w_i)`, anchor `w_0`. Packet i of
 * a session carries `w_i`; the provider checks it with one hash against `w_{i-1}`.
 */
import { randomBytes } from "@noble/hashes/utils.js";
import { bytesToHex, keccak256, type Hex } from "../crypto/index.js";
import { ChainExhaustedError } from "./errors.js";

/** A chain held in full by its issuer (32 bytes a word: 320 KB for 10,000 words). */
export class HashChain {
  readonly #words: Uint8Array;
  readonly length: number;

  private constructor(words: Uint8Array, length: number) {
    this.#words = words;
    this.length = length;
  }

  /** Build the chain of `length` words after the anchor from `seed` (random when omitted). */
  static fromSeed(length: number, seed: Uint8Array = randomBytes(32)): HashChain {
    if (!Number.isSafeInteger(length) || length < 1) throw new ChainExhaustedError(length, length);
    const words = new Uint8Array(32 * (length + 1));
    words.set(seed.subarray(0, 32), 32 * length);
    for (let i = length; i > 0; i--) words.set(keccak256(words.subarray(32 * i, 32 * i + 32)), 32 * (i - 1));
    return new HashChain(words, length);
  }

  /** w_0, signed in the receipt. */
  get anchor(): Hex {
    return bytesToHex(this.word(0));
  }

  /** w_i (a view into the chain: copy it before mutating). */
  word(i: number): Uint8Array {
    if (!Number.isInteger(i) || i < 0 || i > this.length) throw new ChainExhaustedError(i, this.length);
    return this.#words.subarray(32 * i, 32 * i + 32);
  }
}

/** Hash `word` `steps` times. */
export function walkChain(word: Uint8Array, steps: number): Uint8Array {
  let w = word;
  for (let i = 0; i < steps; i++) w = keccak256(w);
  return w;
}

export function equalWords(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== 32 || b.length !== 32) return false;
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * How many steps (1..maxGap) lead from `word` to `previous`: the provider's acceptance check,
 * tolerating up to `maxGap − 1` lost packets. 0 when none does (forged, or too far ahead).
 */
export function stepsToWord(word: Uint8Array, previous: Uint8Array, maxGap: number): number {
  let w = word;
  for (let k = 1; k <= maxGap; k++) {
    w = keccak256(w);
    if (equalWords(w, previous)) return k;
  }
  return 0;
}
