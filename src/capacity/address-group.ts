/**
 * Free clients are keyed by address group, not by identity: a new key pair is free to make, a new
 * /24 (IPv4) or /48 (IPv6) is not. Everything from one group shares one decaying free-usage debt.
 */
import { isIPv4, isIPv6 } from "node:net";

export function addressGroup(ip: string): string {
  let a = ip.trim().toLowerCase();
  if (a.startsWith("::ffff:") && isIPv4(a.slice(7))) a = a.slice(7);
  if (isIPv4(a)) return `${a.split(".").slice(0, 3).join(".")}.0/24`;
  if (isIPv6(a)) return `${expandIPv6(a).slice(0, 3).join(":")}::/48`;
  return `other:${a.slice(0, 64)}`;
}

function expandIPv6(a: string): string[] {
  const [head, tail] = a.split("::") as [string, string | undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const fill = tail === undefined ? [] : Array<string>(8 - h.length - t.length).fill("0");
  return [...h, ...fill, ...t].map((x) => x.replace(/^0+(?=.)/, ""));
}
