/** ABIs of the production contracts, `as const` for viem's type inference (generated at build time). */
export { chequebookAbi, chequebookFactoryAbi, servicePlansAbi } from "./generated.js";
