import { Contract, type ContractRunner } from "ethers";
import { toAddress, toUint256, type AmountLike } from "../values.js";
import { call } from "./errors.js";
import { send, type TxResult } from "./tx.js";
import type { Hex } from "../crypto/index.js";

const ERC20_ABI = [
  "function balanceOf(address) view returns (uint256)",
  "function allowance(address,address) view returns (uint256)",
  "function approve(address,uint256) returns (bool)",
  "function transfer(address,uint256) returns (bool)",
  "function decimals() view returns (uint8)",
  "function symbol() view returns (string)",
];

/** The few ERC20 calls the settlement flows need. */
export class TokenClient {
  readonly address: Hex;
  readonly #c: Contract;
  constructor(address: string, runner: ContractRunner) {
    this.address = toAddress(address, "token");
    this.#c = new Contract(this.address, ERC20_ABI, runner);
  }
  balanceOf(who: string): Promise<bigint> {
    return call(() => this.#c.balanceOf(toAddress(who)));
  }
  allowance(owner: string, spender: string): Promise<bigint> {
    return call(() => this.#c.allowance(toAddress(owner), toAddress(spender)));
  }
  approve(spender: string, amount: AmountLike): Promise<TxResult> {
    return send(() => this.#c.approve(toAddress(spender), toUint256(amount)));
  }
  transfer(to: string, amount: AmountLike): Promise<TxResult> {
    return send(() => this.#c.transfer(toAddress(to), toUint256(amount)));
  }
  symbol(): Promise<string> {
    return call(() => this.#c.symbol());
  }
}
