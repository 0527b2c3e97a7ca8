/**
 * The Hardhat 3 plugin: the operator tasks (`swap deploy`, `swap faucet`, `chequebook …`, `cheques`,
 * `cashout`, `plan …`) for any Hardhat 3 project.
 *
 * ```ts
 * import swapSettlement from "@swap-settlement/core/hardhat";
 * export default defineConfig({ plugins: [hardhatToolboxMochaEthersPlugin, swapSettlement], … });
 * ```
 * The tasks need no other plugin; `swap deploy --verify` uses hardhat-verify (in both toolboxes).
 * Nothing here imports a Hardhat type extension, so the plugin loads in a project with any toolbox.
 */
import type { HardhatPlugin } from "hardhat/types/plugins";
import { swapTasks } from "./tasks.js";

export const swapSettlementPlugin: HardhatPlugin = {
  id: "@swap-settlement/core",
  npmPackage: "@swap-settlement/core",
  tasks: swapTasks,
};

export { swapTasks };
export default swapSettlementPlugin;
