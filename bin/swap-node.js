#!/usr/bin/env node
// The `swap-node` command of an installed package: runs the built daemon (npm run build).
import "../dist/esm/src/daemon/main.js";
