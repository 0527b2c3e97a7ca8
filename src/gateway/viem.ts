/**
 * A viem transport that pays: viem's `http` transport with `paidFetch` as its fetch. Separate from
 * client.ts so that only users of viem load it.
 */
import { http, type HttpTransport } from "viem";
import type { PaidFetch } from "./client.js";

export function paidViemTransport(url: string, paidFetch: PaidFetch): HttpTransport {
  return http(url, { fetchFn: paidFetch as unknown as typeof fetch });
}
