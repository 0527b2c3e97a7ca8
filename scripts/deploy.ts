// npx hardhat run scripts/deploy.ts --network <name>  (SWAP_TOKEN=0x… to use an existing token;
// required on any chain other than a development one). Same as `npx hardhat swap deploy --yes`.
import hre from "hardhat";
import { connectOperator } from "../src/hardhat/operator-key.js";
import { deploySystem } from "../src/ops/operator.js";
import { print, run } from "../src/hardhat/render.js";

const json = process.env.SWAP_JSON === "1";
await run(async () => {
  const c = await connectOperator(hre);
  const { deployment, file } = await deploySystem({
    signer: c.signer,
    provider: c.eip1193,
    network: c.network,
    root: c.root,
    token: process.env.SWAP_TOKEN || undefined,
  });
  print({ ...deployment, file }, json);
}, json);
