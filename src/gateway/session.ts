/**
 * Who a paying HTTP client is: a session signed (EIP-712) by its chequebook's issuer, naming the
 * gateway and an expiry, carried in the `SWAP-SESSION` header of every request. Verified once per
 * distinct header value (a bounded cache), so the per-request cost is one map lookup.
 *
 *   GatewaySession(address chequebook,address gateway,uint256 expires)
 *   domain: EIP712Domain(string name,string version,uint256 chainId) = ("SwapGateway", "1", chainId)
 */
import { recoverSigner, type Hex } from "../crypto/index.js";
import { signTypedMessage, type SignerLike } from "../crypto/signer.js";
import { StaticStruct, hashDomain, hashString, typedDataDigest } from "../crypto/typed-data.js";
import { toAddress } from "../values.js";
import { BadSessionError } from "./errors.js";

export const SESSION_TYPE = "GatewaySession(address chequebook,address gateway,uint256 expires)";
const FIELDS = [
  { name: "chequebook", type: "address" },
  { name: "gateway", type: "address" },
  { name: "expires", type: "uint256" },
] as const;
const struct = new StaticStruct<SessionMessage>(SESSION_TYPE, FIELDS);
const DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId)";

export interface SessionMessage {
  chequebook: string;
  /** The gateway's beneficiary address. */
  gateway: string;
  /** Seconds since epoch. */
  expires: bigint;
}

export interface SignedSession extends SessionMessage {
  issuer: string;
  signature: string;
}

function digest(m: SessionMessage, chainId: bigint): Uint8Array {
  const sep = hashDomain(DOMAIN_TYPE, [
    { type: "bytes32", value: hashString("SwapGateway") },
    { type: "bytes32", value: hashString("1") },
    { type: "uint256", value: chainId },
  ]);
  return typedDataDigest(sep, struct.hashStruct(struct.normalise(m)));
}

export async function signSession(
  m: SessionMessage,
  chainId: bigint,
  signer: SignerLike,
  issuer: string,
): Promise<string> {
  const value = struct.normalise(m);
  const signature = await signTypedMessage(signer, digest(value, chainId), {
    domain: { name: "SwapGateway", version: "1", chainId },
    types: { GatewaySession: FIELDS.map((f) => ({ ...f })) },
    value: value as unknown as Record<string, unknown>,
  });
  return encodeSession({ ...value, issuer: toAddress(issuer), signature });
}

export function encodeSession(s: SignedSession): string {
  return Buffer.from(JSON.stringify({ ...s, expires: s.expires.toString() })).toString("base64url");
}

/** Decode and verify a session header; `BadSessionError` for anything wrong. */
export function verifySession(
  header: string,
  chainId: bigint,
  gateway: Hex,
  nowMs: number,
  maxLifetimeMs: number,
): SignedSession {
  if (typeof header !== "string" || header.length > 1024) throw new BadSessionError("header missing or too long");
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    throw new BadSessionError("not base64url JSON");
  }
  let s: SignedSession;
  try {
    s = {
      chequebook: toAddress(raw.chequebook, "chequebook"),
      gateway: toAddress(raw.gateway, "gateway"),
      expires: BigInt(String(raw.expires)),
      issuer: toAddress(raw.issuer, "issuer"),
      signature: String(raw.signature),
    };
  } catch {
    throw new BadSessionError("fields malformed");
  }
  if (s.gateway !== gateway) throw new BadSessionError(`made out to ${s.gateway}, not this gateway`);
  const expiresMs = Number(s.expires) * 1000;
  if (expiresMs <= nowMs) throw new BadSessionError("expired");
  if (expiresMs > nowMs + maxLifetimeMs) throw new BadSessionError(`expires too far ahead (max ${maxLifetimeMs} ms)`);
  let signer: Hex;
  try {
    signer = recoverSigner(digest(s, chainId), s.signature);
  } catch {
    throw new BadSessionError("signature unusable");
  }
  if (signer !== s.issuer) throw new BadSessionError(`signed by ${signer}, not the issuer ${s.issuer}`);
  return s;
}
