/**
 * What a restart cannot re-earn: the last cheques issued and received per chequebook, balances and
 * surplus per peer, the total issued, and every cash-out with its transaction.
 */
export interface PeerRecord {
  peer: string;
  /** > 0: the peer owes us; < 0: we owe the peer. Sum over protocols. */
  balance: bigint;
  /** Paid to us beyond the debt; consumed by the peer's later use before its balance grows. */
  surplus: bigint;
  /** Balance per protocol (sums to `balance` minus payments, which are not per protocol). */
  protocols: Record<string, bigint>;
  /** The peer's chequebook, fixed by its first cheque or handshake. */
  chequebook?: string;
  /** Our cash-out of this peer's chequebook bounced: the issuer is defaulting. */
  defaulting: boolean;
  /** No connection from the peer before this time (ms since epoch), 0 = none. */
  embargoUntil: number;
}

export interface IssuedCheque {
  chequebook: string;
  beneficiary: string;
  cumulativePayout: bigint;
  signature: string;
  peer: string;
  /** Ms since epoch. */
  issuedAt: number;
}

export interface ReceivedCheque {
  chequebook: string;
  beneficiary: string;
  cumulativePayout: bigint;
  signature: string;
  peer: string;
  chainId: bigint;
  receivedAt: number;
}

export type CashoutStatus = "pending" | "mined" | "bounced" | "reverted" | "failed";

export interface CashoutRecord {
  /** Unique id (chequebook:cumulative:attempt). */
  id: string;
  chequebook: string;
  beneficiary: string;
  cumulativePayout: bigint;
  /** What was owed when sent (cumulative − paidOut). */
  requestPayout: bigint;
  /** What the chequebook paid (from the ChequeCashed event); 0 until mined. */
  totalPayout: bigint;
  status: CashoutStatus;
  txHash?: string;
  /** The signed transaction, stored before broadcast: after a crash it is looked up, or re-broadcast
   * byte for byte (same hash, same nonce), never re-signed. */
  rawTx?: string;
  nonce?: number;
  /** Relayed cash-outs: who sent it and what it earned. */
  caller?: string;
  /** Earlier transactions of this attempt, replaced by `txHash` (same nonce, higher fees): any of
   * them may be the one that gets mined. */
  replacedTxHashes?: string[];
  gasUsed?: bigint;
  error?: string;
  createdAt: number;
  updatedAt: number;
}

/** Synchronous on purpose: a commit returns only when it is durable, so "stored before credited"
 * is a line order, not a promise chain. Implementations: SqliteStore, MemoryStore. */
export interface Store {
  /** Run `fn` atomically: all of its writes commit together, or none (when it throws). */
  transaction<T>(fn: () => T): T;

  getPeer(peer: string): PeerRecord | undefined;
  putPeer(record: PeerRecord): void;
  listPeers(): PeerRecord[];

  lastIssued(chequebook: string, beneficiary: string): IssuedCheque | undefined;
  /** Record a cheque we signed; the chequebook's total issued moves by the increase. */
  putIssued(cheque: IssuedCheque): void;
  totalIssued(chequebook: string): bigint;
  listIssued(): IssuedCheque[];

  lastReceived(chequebook: string): ReceivedCheque | undefined;
  putReceived(cheque: ReceivedCheque): void;
  listReceived(): ReceivedCheque[];

  putCashout(record: CashoutRecord): void;
  getCashout(id: string): CashoutRecord | undefined;
  listCashouts(filter?: { chequebook?: string; status?: CashoutStatus }): CashoutRecord[];

  close(): void;
}

export function emptyPeer(peer: string): PeerRecord {
  return { peer, balance: 0n, surplus: 0n, protocols: {}, defaulting: false, embargoUntil: 0 };
}
