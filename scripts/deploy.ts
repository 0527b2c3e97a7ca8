// npx hardhat run scripts/deploy.ts --network <name>  (SWAP_TOKEN=0x… to use an existing token)
// Writes deployments/<network>.json. Same as `npx hardhat swap deploy`.
import { network } from "hardhat";
import { deploySystem } from "../src/ops/operator.js";
import { print } from "../tasks/render.js";

const { ethers, networkName } = await network.getOrCreate();
const [signer] = await ethers.getSigners();
const { deployment, file } = await deploySystem(signer, networkName, process.env.SWAP_TOKEN || undefined);
print({ ...deployment, file }, process.argv.includes("--json"));
