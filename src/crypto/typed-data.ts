/**
 * A small, fast EIP-712 encoder for structs of static fields only (address, uint256, bytes32) —
 * all the cheque and share-receipt types are such structs. About 30x faster than a generic
 * encoder, which matters when thousands of cheques per second are verified; checked against
 * ethers' TypedDataEncoder by the golden-vector tests.
 */
import { keccak256, bytesToHex, hexToBytes, type Hex } from "./index.js";
import { toAddress, toUint256, toBytes32 } from "../values.js";
import { InvalidArgumentError } from "../errors.js";

export type StaticFieldType = "address" | "uint256" | "bytes32";
export interface StructField {
  readonly name: string;
  readonly type: string;
}

/** A struct type: its EIP-712 type string and fields, with the typehash precomputed. */
export class StaticStruct<T extends object> {
  readonly typeHash: Uint8Array;
  readonly primaryType: string;

  constructor(
    readonly typeString: string,
    readonly fields: readonly StructField[],
  ) {
    for (const f of fields) {
      if (!["address", "uint256", "bytes32"].includes(f.type))
        throw new InvalidArgumentError(`field ${f.name}`, f.type, "a static field type");
    }
    this.typeHash = keccak256(new TextEncoder().encode(typeString));
    this.primaryType = typeString.slice(0, typeString.indexOf("("));
    const derived = `${this.primaryType}(${fields.map((f) => `${f.type} ${f.name}`).join(",")})`;
    if (derived !== typeString) throw new InvalidArgumentError("typeString", typeString, derived);
  }

  /** Checks every field at runtime (throws `InvalidArgumentError`) and returns the normalised value. */
  normalise(value: T): T {
    const out: Record<string, unknown> = {};
    for (const f of this.fields) {
      const v = (value as Record<string, unknown>)[f.name];
      out[f.name] =
        f.type === "address"
          ? toAddress(v, f.name)
          : f.type === "uint256"
            ? toUint256(v, f.name)
            : toBytes32(v, f.name);
    }
    return out as T;
  }

  /** `hashStruct(value)`; the value must be normalised. */
  hashStruct(value: T): Uint8Array {
    const buf = new Uint8Array(32 * (this.fields.length + 1));
    buf.set(this.typeHash, 0);
    this.fields.forEach((f, i) => writeWord(buf, 32 * (i + 1), f.type, (value as Record<string, unknown>)[f.name]));
    return keccak256(buf);
  }
}

function writeWord(buf: Uint8Array, offset: number, type: string, v: unknown): void {
  if (type === "address") {
    buf.set(hexToBytes(v as string), offset + 12);
  } else if (type === "bytes32") {
    buf.set(hexToBytes(v as string), offset);
  } else {
    let x = v as bigint;
    for (let i = 31; i >= 0 && x > 0n; i--) {
      buf[offset + i] = Number(x & 0xffn);
      x >>= 8n;
    }
  }
}

/** Domain separator of a domain made of static fields (string fields are pre-hashed by the caller). */
export function hashDomain(typeString: string, words: { type: StaticFieldType; value: unknown }[]): Uint8Array {
  const buf = new Uint8Array(32 * (words.length + 1));
  buf.set(keccak256(new TextEncoder().encode(typeString)), 0);
  words.forEach((w, i) => writeWord(buf, 32 * (i + 1), w.type, w.value));
  return keccak256(buf);
}

export function hashString(s: string): Hex {
  return bytesToHex(keccak256(new TextEncoder().encode(s)));
}

/** `keccak256("\x19\x01" ‖ domainSeparator ‖ structHash)`. */
export function typedDataDigest(domainSeparator: Uint8Array, structHash: Uint8Array): Uint8Array {
  const buf = new Uint8Array(66);
  buf[0] = 0x19;
  buf[1] = 0x01;
  buf.set(domainSeparator, 2);
  buf.set(structHash, 34);
  return keccak256(buf);
}
