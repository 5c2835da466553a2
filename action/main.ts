// The Action's entry: everything it does lives in src/host/action.ts.
import { runAction } from "../src/host/action.js";

process.exitCode = await runAction(process.env);
